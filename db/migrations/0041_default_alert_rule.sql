-- The out-of-the-box rule: "cpu_usage > 90 for 5 minutes". The 1-minute average must stay above
-- 90 % for 5 minutes before it fires (a pending episode is recorded at once); it clears when the
-- average drops to 80 % or below (hysteresis), so a host hovering around 90 % does not flap.
-- It has no channels: episodes land in alerts_history; add a channel to be notified.
-- Editable and deletable like any rule; ON CONFLICT keeps an operator's own rule of that name.
INSERT INTO vigil.alerts_configuration
  (name, description, metric_source, metric, aggregation, window_seconds, operator, threshold,
   clear_threshold, for_seconds, severity)
VALUES
  ('high_cpu', 'CPU usage above 90 % (1-minute average) for 5 minutes', 'server_metrics', 'cpu_usage',
   'avg', 60, '>', 90, 80, 300, 'warning')
ON CONFLICT (name) DO NOTHING;
