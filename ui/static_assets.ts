import { CLIENT_FILES } from "./client_files.ts";

/** One file under `/ui/assets/`. */
export interface StaticAsset {
  readonly body: string;
  readonly contentType: string;
  /** A strong validator derived from the content, quotes included. */
  readonly etag: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * The assets served under `/ui/assets/`, by file name: every embedded
 * browser file whose type we know. Built once per call; callers keep it.
 */
export function staticAssets(
  files: Readonly<Record<string, string>> = CLIENT_FILES,
): ReadonlyMap<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const [name, body] of Object.entries(files)) {
    const extension = name.slice(name.lastIndexOf("."));
    const contentType = CONTENT_TYPES[extension];
    if (!contentType) continue;
    assets.set(name, { body, contentType, etag: contentTag(body) });
  }
  return assets;
}

/**
 * `"<length>-<FNV-1a hash>"` of the text: cheap, synchronous, and changes
 * whenever an edit changes the file.
 */
export function contentTag(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `"${text.length.toString(36)}-${hash.toString(16).padStart(8, "0")}"`;
}
