/**
 * Governance as pure domain: immutable tags, retention policies, schedules and quotas. Nothing here reads or writes
 * storage; the registry service, the metadata store and the admin API call in with plain values.
 *
 * <ul>
 *   <li>{@link dev.stowage.core.governance.Glob}: Harbor's doublestar patterns (and ECR's {@code *} wildcards),
 *       compiled once, matched in linear time.</li>
 *   <li>Immutable tags: {@link dev.stowage.core.governance.ImmutableTagRule} (per project, Harbor-style),
 *       {@link dev.stowage.core.governance.TagMutability} (per repository, ECR-style), combined by
 *       {@link dev.stowage.core.governance.TagImmutability}, whose verdict is the error message.</li>
 *   <li>Retention: {@link dev.stowage.core.governance.RetentionPolicy}, either an
 *       {@link dev.stowage.core.governance.EcrLifecyclePolicy} (ECR's JSON, verbatim) or a
 *       {@link dev.stowage.core.governance.HarborRetentionPolicy} (Harbor's retain rules), turns
 *       {@link dev.stowage.core.governance.ImageCandidate}s into a {@link dev.stowage.core.governance.RetentionPlan}
 *       naming the rule behind every removal and every image kept.</li>
 *   <li>{@link dev.stowage.core.governance.Schedule} (cron) and {@link dev.stowage.core.governance.Quota}.</li>
 * </ul>
 * Every refusal of user input is a {@link dev.stowage.core.governance.PolicyException} whose message starts with the
 * JSON path of the offending field.
 */
package dev.stowage.core.governance;
