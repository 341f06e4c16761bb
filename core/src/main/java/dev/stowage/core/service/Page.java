package dev.stowage.core.service;

import java.util.List;
import java.util.Optional;

/** One page of a lexically ordered listing; {@code next} is the last item when more follow. */
public record Page<T>(List<T> items, Optional<String> next) {}
