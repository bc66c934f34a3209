import type { Capabilities, Config } from "../config/types.ts";
import type { ModelProcessHandle, ProcessState } from "../process/types.ts";
import type { ModelStatus } from "./event_messages.ts";

/**
 * The `modelStatus` payload: every local model sorted by ID (unlisted ones
 * too, flagged), then every peer model sorted by `<peer>/<model>`. A local
 * model's state comes from its process; `shutdown` shows as `stopped`, and
 * a model without a process (or a peer's) as `stopped`. Pure.
 */
export function modelStatuses(
  config: Config,
  processes: ReadonlyMap<string, ModelProcessHandle>,
): ModelStatus[] {
  const local = Object.keys(config.models).sort().map((id) => {
    const model = config.models[id]!;
    const status: ModelStatus = {
      id,
      name: model.name,
      description: model.description,
      state: shownState(processes.get(id)?.state),
      unlisted: model.unlisted,
      peerID: "",
    };
    if (model.aliases.length > 0) status.aliases = [...model.aliases];
    const flags = capabilityFlags(model.capabilities);
    if (flags) status.capabilities = flags;
    const context = model.capabilities?.context ?? 0;
    if (context > 0) status.context_length = context;
    return status;
  });

  const peers: ModelStatus[] = [];
  for (const [peerId, peer] of Object.entries(config.peers)) {
    for (const model of peer.models) {
      peers.push({
        id: `${peerId}/${model}`,
        name: "",
        description: "",
        state: "stopped",
        unlisted: false,
        peerID: peerId,
      });
    }
  }
  peers.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return [...local, ...peers];
}

function shownState(state: ProcessState | undefined): ProcessState {
  return state === undefined || state === "shutdown" ? "stopped" : state;
}

/**
 * The capability flags `/v1/models` also shows, only those that are true;
 * null when none is.
 */
export function capabilityFlags(
  caps: Capabilities | null,
): Record<string, boolean> | null {
  if (!caps) return null;
  const accepts = (modality: string) => caps.in.some((m) => m === modality);
  const produces = (modality: string) => caps.out.some((m) => m === modality);
  const flags: Record<string, boolean> = {
    vision: accepts("image"),
    audio_transcriptions: accepts("audio") && produces("text"),
    audio_speech: accepts("text") && produces("audio"),
    image_generation: accepts("text") && produces("image"),
    image_to_image: accepts("image") && produces("image"),
    function_calling: caps.tools,
    reranker: caps.reranker,
  };
  const set = Object.entries(flags).filter(([, on]) => on);
  return set.length > 0 ? Object.fromEntries(set) : null;
}
