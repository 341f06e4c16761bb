package dev.stowage.admission;

import java.util.ArrayList;
import java.util.List;

/**
 * What a review answers: allowed or not, the sentence of a denial (one per failing image), warnings (audit mode's
 * would-be denials, images of allowed external registries), a patch (mutation), and each image's outcome for the
 * audit trail. Messages and warnings are bounded: a pod with thousands of containers gets a readable answer.
 */
public record AdmissionDecision(boolean allowed, List<String> denials, List<String> warnings, JsonPatch patch,
                                List<Admission.Outcome> outcomes, String note) {
    /** Denial sentences quoted in full; the rest are counted. */
    static final int MAX_MESSAGES = 20;
    /** Kubernetes asks warnings to stay short; longer ones are cut. */
    static final int MAX_WARNING_LENGTH = 512;

    public AdmissionDecision {
        denials = List.copyOf(denials);
        warnings = bounded(warnings);
        outcomes = List.copyOf(outcomes);
    }

    static AdmissionDecision allowedUntouched(String note) {
        return new AdmissionDecision(true, List.of(), List.of(), new JsonPatch(), List.of(), note);
    }

    /** The denial's message: every failing image's sentence, the first {@link #MAX_MESSAGES} of them. */
    public String message() {
        return joined(denials, "; ");
    }

    private static String joined(List<String> sentences, String separator) {
        List<String> shown = new ArrayList<>(sentences.subList(0, Math.min(MAX_MESSAGES, sentences.size())));
        if (sentences.size() > MAX_MESSAGES) shown.add("and " + (sentences.size() - MAX_MESSAGES) + " more");
        return String.join(separator, shown);
    }

    private static List<String> bounded(List<String> warnings) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < warnings.size(); i++) {
            if (out.size() == MAX_MESSAGES) {
                out.add("and " + (warnings.size() - MAX_MESSAGES) + " more warnings");
                break;
            }
            String w = warnings.get(i);
            out.add(w.length() > MAX_WARNING_LENGTH ? w.substring(0, MAX_WARNING_LENGTH - 3) + "..." : w);
        }
        return List.copyOf(out);
    }
}
