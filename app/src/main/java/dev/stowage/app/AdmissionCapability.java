package dev.stowage.app;

import dev.stowage.admission.Admission;
import dev.stowage.admission.AdmissionRoutes;

/**
 * Kubernetes admission: validating and mutating webhooks ({@code /api/v1/admission/validate}, {@code /mutate}) that
 * answer kube-apiserver's AdmissionReviews with the one image policy evaluation pulls run (the scanner's
 * vulnerabilities, the trust capability's signatures). No store and no migrations: every review is a read, and the
 * audit trail records it. Settings: {@code admission:}.
 */
final class AdmissionCapability implements Capability {
    @Override
    public String name() {
        return "admission";
    }

    @Override
    public void start(Node node, Contributions out) {
        StowageConfig config = node.config();
        StowageConfig.Admission settings = config.admission();
        Admission admission = new Admission(new Admission.Settings(settings.registryHosts(config.http()),
                settings.externalRegistryHosts(), settings.enforce() ? Admission.Mode.ENFORCE : Admission.Mode.AUDIT,
                settings.maxImages()));
        out.adminRoutes(new AdmissionRoutes(admission, node.service(), node::imagePolicy));
    }
}
