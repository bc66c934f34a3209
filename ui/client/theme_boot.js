// Runs before the page paints (a classic script in <head>), so a saved
// light or dark choice never flashes the other theme first.
try {
  const theme = localStorage.getItem("llama-swap.theme");
  if (theme === "light" || theme === "dark") {
    document.documentElement.dataset.theme = theme;
  }
} catch {
  // Storage is blocked: the system's colour scheme applies.
}
