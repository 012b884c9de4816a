-- Corrective migration for 0008_alerts.sql (which has landed and is not edited): NaN got past it.
-- PostgreSQL sorts NaN above every number and treats NaN = NaN as true, so
--   * the hysteresis CHECK accepts clear_threshold = 'NaN' for '<' / '<=' rules (NaN >= any
--     threshold) and any clear threshold at all, NaN and infinities included, for '==' / '!='
--     rules. A rule whose clear threshold is NaN or infinite never clears (or always does).
--     threshold itself refuses NaN and infinities; its clear threshold now does the same, as the
--     API's rule validation already does;
--   * alerts_history.peak_value and last_value had no CHECK: a NaN there would be shown to people
--     as the alert's value and would win every "peak" comparison.
-- `x <> 'NaN'::float8` is the test that works (NaN = NaN is true, so `x = x` refuses nothing).
--
-- Rows accepted before this migration are repaired first, so adding the constraints cannot fail
-- on an existing database: a bad clear threshold becomes NULL (clear at the threshold, the
-- default), a NaN value becomes NULL (unknown).
--
-- Numbered in the foundation's range but applied after any later migration already present
-- (the migrator runs every pending file in order), so it touches only 0008's tables.
UPDATE vigil.alerts_configuration
   SET clear_threshold = NULL
 WHERE clear_threshold = 'NaN'::float8
    OR clear_threshold IN ('Infinity'::float8, '-Infinity'::float8);
UPDATE vigil.alerts_history SET peak_value = NULL WHERE peak_value = 'NaN'::float8;
UPDATE vigil.alerts_history SET last_value = NULL WHERE last_value = 'NaN'::float8;

ALTER TABLE vigil.alerts_configuration
  ADD CONSTRAINT alerts_configuration_clear_threshold_check
  CHECK (clear_threshold <> 'NaN'::float8
         AND clear_threshold > '-Infinity'::float8 AND clear_threshold < 'Infinity'::float8);

ALTER TABLE vigil.alerts_history
  ADD CONSTRAINT alerts_history_peak_value_check CHECK (peak_value <> 'NaN'::float8),
  ADD CONSTRAINT alerts_history_last_value_check CHECK (last_value <> 'NaN'::float8);
