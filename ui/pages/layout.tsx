import type { Child } from "hono/jsx";

/** The pages of the UI, each with its own client script. */
export type PageId = "models" | "logs" | "activity" | "playground";

interface NavItem {
  readonly page: PageId;
  readonly href: string;
  readonly label: string;
}

/** The navigation, in menu order; `/ui/` is the Models page. */
export const NAV: readonly NavItem[] = [
  { page: "models", href: "/ui/", label: "Models" },
  { page: "logs", href: "/ui/logs", label: "Logs" },
  { page: "activity", href: "/ui/activity", label: "Activity" },
  { page: "playground", href: "/ui/playground", label: "Playground" },
];

export interface LayoutProps {
  readonly page: PageId;
  /** Shown in the tab title before the product name. */
  readonly title: string;
  readonly children?: Child;
}

/**
 * The page shell shared by every page: header with navigation, connection
 * status, API key and theme buttons, the API key dialog and a message area.
 * It holds no data: the page's script fills everything in after load, so
 * the shell can be public when the API needs a key.
 */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title} · llama-swap</title>
        <link rel="icon" type="image/svg+xml" href="/ui/assets/favicon.svg" />
        <link rel="stylesheet" href="/ui/assets/app.css" />
        <script src="/ui/assets/theme_boot.js"></script>
        <script type="module" src={`/ui/assets/${props.page}_page.js`}>
        </script>
      </head>
      <body data-page={props.page}>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="top-bar">
          <a class="brand" href="/ui/">llama-swap</a>
          <nav aria-label="Pages">
            <ul class="nav">
              {NAV.map((item) => (
                <li>
                  <a
                    href={item.href}
                    aria-current={item.page === props.page ? "page" : undefined}
                  >
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="tools">
            <span
              id="connection"
              class="connection"
              role="status"
              data-status="connecting"
            >
              Connecting…
            </span>
            <button type="button" id="key-button" class="quiet">
              API key
            </button>
            <button
              type="button"
              id="theme-button"
              class="quiet"
              aria-label="Colour theme: automatic"
            >
              Theme: auto
            </button>
          </div>
        </header>
        <main id="main" tabindex={-1}>{props.children}</main>
        <footer class="footer">
          <span id="version"></span>
        </footer>
        <KeyDialog />
        <div id="notice" class="notice" role="alert" hidden></div>
      </body>
    </html>
  );
}

/** Asks for the API key when the server answers 401. */
function KeyDialog() {
  return (
    <dialog id="key-dialog" aria-labelledby="key-title">
      <form method="dialog" id="key-form">
        <h2 id="key-title">API key</h2>
        <p id="key-reason">
          The key is kept in this browser and sent with every request.
        </p>
        <label for="key-input">Key</label>
        <input
          id="key-input"
          name="key"
          type="password"
          autocomplete="current-password"
          spellcheck={false}
        />
        <div class="actions">
          <button type="submit" value="forget" class="quiet">
            Forget key
          </button>
          <button type="submit" value="cancel" formnovalidate>Cancel</button>
          <button type="submit" value="save" class="primary">Save</button>
        </div>
      </form>
    </dialog>
  );
}
