-- Delivery logs used to keep the start of each receiver's answer and the exact connection error (refused, timed
-- out, reset...), which let a project administrator read internal services and scan ports through a webhook. They
-- now keep only the status; this removes what was kept before. (15.1: sorts after 15 whatever else is added.)
UPDATE webhook_attempts SET error = 'HTTP ' || status_code WHERE status_code > 0 AND error <> '';
UPDATE webhook_attempts SET error = CASE WHEN error LIKE 'unusable target URL%' THEN 'unusable target URL'
    ELSE 'connection failed' END
    WHERE status_code = 0 AND error <> '' AND error <> 'the webhook is disabled';
UPDATE webhook_deliveries SET last_error = 'HTTP ' || last_status_code WHERE last_status_code > 0 AND last_error <> '';
UPDATE webhook_deliveries SET last_error = CASE WHEN last_error LIKE 'unusable target URL%' THEN 'unusable target URL'
    ELSE 'connection failed' END
    WHERE last_status_code = 0 AND last_error <> '' AND last_error <> 'the webhook is disabled';
