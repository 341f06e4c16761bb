package dev.stowage.core.access;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a robot account may do: the actions, on repositories whose names match a glob ({@code *} within one path
 * component, {@code **} across components), e.g. {@code team/**} or {@code team/app}.
 */
public record RobotPermission(String repositoryPattern, Set<Action> actions) {
    public RobotPermission {
        actions = Set.copyOf(actions);
        if (repositoryPattern == null || repositoryPattern.isBlank()) throw new IllegalArgumentException("empty pattern");
    }

    public boolean matches(String repository) {
        return toRegex(repositoryPattern).matcher(repository).matches();
    }

    private static Pattern toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    regex.append(".*");
                    i++;
                } else {
                    regex.append("[^/]*");
                }
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
