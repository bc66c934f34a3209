/**
 * One child process per model: start, readiness, stop, idle unload, crash
 * detection, and reaping of groups a crashed proxy left behind.
 */
export {
  type CommandDialect,
  hostDialect,
  splitCommand,
} from "./command_line.ts";
export {
  FAILED_START_GRACE_MS,
  ModelProcess,
  type ModelProcessOptions,
} from "./model_process.ts";
export { type ReapedGroup } from "./orphan_reaper.ts";
export { KILLED_GROUP_WAIT_MS } from "./stop_child.ts";
export {
  type ChildExit,
  posixProcessControl,
  type ProcessControl,
  type SpawnedChild,
} from "./process_control.ts";
export {
  type ProcessRecord,
  ProcessRegistry,
  type ProcessRegistryOptions,
  REGISTRY_FILE,
} from "./registry.ts";
export {
  type ModelProcessHandle,
  type ProcessState,
  StartError,
  type StartFailure,
  type StateChange,
} from "./types.ts";
