// Builds the one small stylesheet the pages use: the NL Design System design tokens and
// component CSS (npm @utrecht packages), purged of every class no template, form renderer
// or script names and of every design token nothing uses.
// Usage: node bin/build-css.mjs OUTPUT.css (run by `make install`).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { PurgeCSS } from "purgecss";

const SOURCES = [
  "node_modules/@utrecht/design-tokens/dist/index.css",
  "node_modules/@utrecht/component-library-css/dist/index.css",
];
const output = process.argv[2] ?? "var/css/nlds.css";
const results = await new PurgeCSS().purge({
  content: [
    "src/wattelt/**/templates/**/*.html",
    "src/wattelt/**/*.py", // the form renderer names the widgets' classes
    "src/wattelt/static/**/*.js",
  ],
  // One sheet, so that a token counts as used when a component reads it.
  css: [{ raw: SOURCES.map((path) => readFileSync(path, "utf8")).join("\n") }],
  variables: true, // drop the design tokens no kept rule reads
  safelist: {
    standard: ["utrecht-theme", "utrecht-body"],
    // Modifiers that templates and the renderer put together from parts.
    greedy: [/^utrecht-alert--/, /^utrecht-button--/, /^utrecht-form-label--/, /--invalid$/],
  },
});
mkdirSync(dirname(output), { recursive: true });
const css = results
  .map((result) => result.css)
  .join("\n")
  .replace(/\/\*[\s\S]*?\*\//g, "")
  .replace(/\n\s*\n/g, "\n");
writeFileSync(output, css);
console.log(`${output}: ${css.length} bytes`);
