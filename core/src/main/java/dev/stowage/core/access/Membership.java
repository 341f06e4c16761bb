package dev.stowage.core.access;

/** A user's role in a project. */
public record Membership(String project, String username, Role role) {}
