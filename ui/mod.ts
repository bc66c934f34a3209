/**
 * The web UI: server-rendered page shells and embedded browser scripts
 * that read the proxy's API (`/api/events`, `/v1/models`, the activity
 * and log routes). Mount it on the proxy app with `mountUi(app)`.
 *
 * @module
 */
export { CONTENT_SECURITY_POLICY, mountUi } from "./mount_ui.ts";
