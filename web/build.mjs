// Builds the dashboard into the Python package (src/ossgrowth/web/static/), or its unit tests.
//
//   node build.mjs            the page: hashed, minified assets + index.html + manifest.json
//   node build.mjs --tests    test/*.test.ts bundled for Node's own test runner (build-tests/)
//
// Every asset name carries a hash of its content, so the server can let browsers keep them
// for a year; index.html names them and is never cached. The build is written beside the
// output directory and swapped in whole, so a running server never serves half a build.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, "..", "src", "ossgrowth", "web", "static");

function contentHash(bytes) {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 12).toUpperCase();
}

/** Copy a file into assets/ under a content-hashed name; returns its path from the root. */
function copyHashed(source, staging, stem, extension) {
  const bytes = readFileSync(source);
  const name = `assets/${stem}-${contentHash(bytes)}.${extension}`;
  copyFileSync(source, join(staging, name));
  return name;
}

async function buildPage() {
  const staging = `${output}.building`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, "assets"), { recursive: true });
  const result = await esbuild.build({
    entryPoints: { boot: join(here, "src", "boot.ts"), app: join(here, "src", "main.tsx") },
    bundle: true,
    minify: true,
    sourcemap: "linked",
    format: "esm",
    target: ["es2022", "chrome110", "firefox110", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    entryNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    outdir: join(staging, "assets"),
    metafile: true,
    legalComments: "linked",
    logLevel: "warning",
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) =>
    path.slice(path.indexOf("assets/")),
  );
  const named = (prefix, suffix) => outputs.find((path) => path.startsWith(`assets/${prefix}-`) && path.endsWith(suffix));
  const script = named("app", ".js");
  const boot = named("boot", ".js");
  const style = named("app", ".css");
  if (!script || !boot || !style) throw new Error(`esbuild wrote no boot, app or style: ${outputs.join(", ")}`);
  const swagger = join(here, "node_modules", "swagger-ui-dist");
  const manifest = {
    boot_js: boot,
    app_js: script,
    app_css: style,
    favicon: copyHashed(join(here, "public", "favicon.svg"), staging, "favicon", "svg"),
    swagger_js: copyHashed(join(swagger, "swagger-ui-bundle.js"), staging, "swagger-ui-bundle", "js"),
    swagger_css: copyHashed(join(swagger, "swagger-ui.css"), staging, "swagger-ui", "css"),
  };
  const page = readFileSync(join(here, "index.html"), "utf8")
    .replaceAll("%BOOT_JS%", manifest.boot_js)
    .replaceAll("%APP_JS%", manifest.app_js)
    .replaceAll("%APP_CSS%", manifest.app_css)
    .replaceAll("%FAVICON%", manifest.favicon);
  writeFileSync(join(staging, "index.html"), page);
  writeFileSync(join(staging, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(output, { recursive: true, force: true });
  renameSync(staging, output);
  console.log(`dashboard built: ${output} (${outputs.length + 3} assets)`);
}

async function buildTests() {
  const target = join(here, "build-tests");
  rmSync(target, { recursive: true, force: true });
  const tests = readdirSync(join(here, "test"))
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => join(here, "test", name));
  await esbuild.build({
    entryPoints: tests,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: target,
    outExtension: { ".js": ".mjs" },
    external: ["node:*"],
    logLevel: "warning",
  });
}

if (process.argv.includes("--tests")) {
  await buildTests();
} else {
  await buildPage();
}
