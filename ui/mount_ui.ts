import type { Context, Env, Hono } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";
import { methodNotAllowed } from "../lib/mod.ts";
import { ActivityPage } from "./pages/activity_page.tsx";
import { LogsPage } from "./pages/logs_page.tsx";
import { ModelsPage } from "./pages/models_page.tsx";
import { PlaygroundPage } from "./pages/playground_page.tsx";
import { type StaticAsset, staticAssets } from "./static_assets.ts";

/**
 * Pages load scripts, styles and images from this origin only and talk
 * only to it; nothing may frame them.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const PAGES: ReadonlyArray<readonly [string, () => JSX.Element]> = [
  ["/ui/", ModelsPage],
  ["/ui/models", ModelsPage],
  ["/ui/logs", LogsPage],
  ["/ui/activity", ActivityPage],
  ["/ui/playground", PlaygroundPage],
];

/**
 * Mounts the web UI on `app`: `GET /ui` redirects (301) to `/ui/` (its
 * query kept), the Models page; `/ui/models`, `/ui/logs`, `/ui/activity`
 * and `/ui/playground` are the other pages, and any other path under
 * `/ui/` without a dot in its last segment (`/ui/index.html` too) shows
 * the Models page; `/ui/assets/<name>` serves the embedded scripts,
 * styles and icon (404 for any other name), and `/favicon.ico` the icon.
 * HEAD works wherever GET does.
 *
 * Pages and assets carry no data, so they may be public even when the API
 * needs a key: the scripts ask for the key when an API call answers 401.
 * Everything is revalidated on each use (`Cache-Control: no-cache`);
 * assets carry an `ETag` and answer 304 to a matching `If-None-Match`.
 *
 * Call it after the proxy's middleware, like any route of the app. Other
 * methods on these paths answer 405 (`Allow: GET, HEAD`), as the rest of
 * the proxy does.
 */
export function mountUi<E extends Env>(app: Hono<E>): void {
  const assets = staticAssets();
  const html = new Map<string, string>();

  const render = async (path: string, page: () => JSX.Element) => {
    let body = html.get(path);
    if (body === undefined) {
      body = `<!doctype html>${await page()}`;
      html.set(path, body);
    }
    return body;
  };

  app.get("/ui", (c) => {
    const query = new URL(c.req.url).search;
    return c.redirect(`/ui/${query}`, 301);
  });
  for (const [path, page] of PAGES) {
    app.get(
      path,
      async (c) => c.body(await render(path, page), 200, pageHeaders()),
    );
  }
  app.get("/ui/assets/:name", (c) => {
    const asset = assets.get(c.req.param("name"));
    return asset ? assetResponse(c, asset) : c.notFound();
  });
  app.get("/favicon.ico", (c) => {
    const icon = assets.get(FAVICON);
    return icon ? assetResponse(c, icon) : c.notFound();
  });
  // Any other page path shows the Models page, as a single-page app's
  // server would; a path that names a file (a dot in its last segment)
  // or lies under the assets is 404.
  app.get("/ui/*", async (c) => {
    const path = c.req.path;
    const last = path.slice(path.lastIndexOf("/") + 1);
    if (path.startsWith("/ui/assets/") || last.includes(".")) {
      if (path !== "/ui/index.html") return c.notFound();
    }
    return c.body(await render("/ui/", ModelsPage), 200, pageHeaders());
  });
  for (const path of ["/ui/*", "/favicon.ico"]) {
    app.all(path, () => methodNotAllowed(["GET"]));
  }
}

const FAVICON = "favicon.svg";

function pageHeaders(): Record<string, string> {
  return {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
  };
}

function assetResponse<E extends Env>(
  c: Context<E>,
  asset: StaticAsset,
): Response {
  const headers = {
    "Content-Type": asset.contentType,
    "Cache-Control": "no-cache",
    "ETag": asset.etag,
    "X-Content-Type-Options": "nosniff",
  };
  if (matchesTag(c.req.header("if-none-match"), asset.etag)) {
    return c.body(null, 304, headers);
  }
  return c.body(asset.body, 200, headers);
}

/** RFC 9110 weak comparison against an `If-None-Match` list (or `*`). */
function matchesTag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}
