package dev.stowage.core.policy;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.spi.ManifestRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every {@link ImageCheck} the capabilities contributed, evaluated together: a pull is refused with all the reasons at
 * once (DENIED, each check's refusal in the detail), and admission reviews ask the same evaluation.
 */
public final class ImagePolicy implements RegistryPolicy {
    private final List<ImageCheck> checks;

    public ImagePolicy(List<ImageCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    public ImageVerdict evaluate(RepositoryName repository, ManifestRecord manifest) {
        List<String> checked = new ArrayList<>(checks.size());
        List<ImageRefusal> refusals = new ArrayList<>(0);
        List<ImageRefusal> warnings = new ArrayList<>(0);
        for (ImageCheck check : checks) {
            checked.add(check.name());
            Optional<ImageRefusal> refusal = check.check(repository, manifest);
            if (refusal.isPresent()) {
                refusals.add(refusal.get());
            } else {
                check.audited(repository, manifest).ifPresent(warnings::add);
            }
        }
        return new ImageVerdict(checked, refusals, warnings);
    }

    public boolean decidesWithoutBlocking(RepositoryName repository, ManifestRecord manifest) {
        for (ImageCheck check : checks) {
            if (!check.decidesWithoutBlocking(repository, manifest)) return false;
        }
        return true;
    }

    @Override
    public void beforeManifestPull(RepositoryName repository, ManifestRecord manifest) {
        ImageVerdict verdict = evaluate(repository, manifest);
        if (!verdict.allowed()) throw refusal(verdict);
    }

    @Override
    public boolean decidesPullWithoutBlocking(RepositoryName repository, ManifestRecord manifest) {
        return decidesWithoutBlocking(repository, manifest);
    }

    /** The pull's answer: DENIED with every refusal's sentence and, in the detail, each check's figures. */
    public static RegistryException refusal(ImageVerdict verdict) {
        return new RegistryException(ErrorCode.DENIED, verdict.message(), verdict.detail())
                .auditNote(verdict.summary());
    }
}
