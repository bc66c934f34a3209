/** Small building blocks shared by every folder. */
export {
  type ChunkReader,
  chunkReader,
  READ_BUFFER_BYTES,
} from "./chunk_reader.ts";
export { joinBytes, ownArray } from "./bytes.ts";
export { abortAccount, Cancelled } from "./cancelled.ts";
export { errorText } from "./error_text.ts";
export { type Clock, delay, systemClock } from "./clock.ts";
export { type Deferred, deferred } from "./deferred.ts";
export { methodNotAllowed } from "./method_not_allowed.ts";
export { isCompiled, selfCommand, shellQuote } from "./self_command.ts";
export { type BuildInfo, readBuildInfo, VERSION } from "./version.ts";
export { settlesWithin } from "./settles_within.ts";
