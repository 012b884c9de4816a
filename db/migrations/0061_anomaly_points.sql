-- "score >= x for N points" alert rules need the scores of consecutive points, but the runner
-- wrote one anomalies row per alarm episode (at the alarm), so N > 1 could never hold.
--
-- Now every scored point whose combined score is at or above the alarm level (0.5) gets a row;
-- `alarm` marks the one per episode that raised the alarm (what the API lists by default, so
-- the list stays one line per event), and `run_points` counts the consecutive points at or
-- above the alarm level ending at this one. Points below the level are never written: on a
-- healthy server the table grows only at alarms, during an event by the points that are
-- actually anomalous.
ALTER TABLE vigil.anomalies
  ADD COLUMN alarm boolean NOT NULL DEFAULT true,
  ADD COLUMN run_points integer NOT NULL DEFAULT 1 CHECK (run_points >= 1);
-- The API's default list (alarms only, newest first).
CREATE INDEX anomalies_alarm_ts_idx ON vigil.anomalies (ts DESC) WHERE alarm;

-- The score of the newest scored point (at scored_to), written with the watermark: an anomaly
-- rule whose run of points ended reads this to resolve, instead of the last anomalous score.
ALTER TABLE vigil.anomaly_state
  ADD COLUMN last_score double precision CHECK (last_score BETWEEN 0 AND 1);
