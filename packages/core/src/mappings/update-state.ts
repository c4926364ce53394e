/**
 * The State UpdateEventSourceMapping answers: `Enabling` when it enables a mapping that is not
 * enabled, `Disabling` when it disables an enabled one, else `Updating` (LocalStack's provider,
 * snapshot-tested against AWS: update_event_source_mapping_v2 with EsmState; the model's State
 * values are Creating, Enabling, Enabled, Disabling, Disabled, Updating, Deleting). Where `Enabled`
 * restates the current setting LocalStack keeps the stored State; AWS's answer there is unrecorded:
 * `Updating`, as for any other change.
 */
export function updateState(wasEnabled: boolean, enabled: boolean | undefined): "Enabling" | "Disabling" | "Updating" {
  if (enabled === true && !wasEnabled) return "Enabling";
  if (enabled === false && wasEnabled) return "Disabling";
  return "Updating";
}
