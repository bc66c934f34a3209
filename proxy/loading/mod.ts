/**
 * The loading stream: what a streaming chat client sees while its model
 * loads, and the remarks it shows.
 */
export {
  type LoadingError,
  LoadingStream,
  type LoadingStreamOptions,
} from "./loading_stream.ts";
export { loadingHeaders } from "./loading_headers.ts";
export { REMARKS } from "./remarks.ts";
export {
  type LoadingStateQuestion,
  shouldSendLoadingState,
} from "./should_send_loading_state.ts";
