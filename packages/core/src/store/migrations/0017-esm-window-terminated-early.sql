-- The open tumbling window was terminated early (its state went over 1 MB): its next invocation,
-- after a restart too, gets a fresh state and isWindowTerminatedEarly: true.
ALTER TABLE esm_checkpoints ADD COLUMN window_terminated_early INTEGER NOT NULL DEFAULT 0;
