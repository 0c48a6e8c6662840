// Reads vitest's JSON report and prints the one line CI understands: "N passed, N failed".
// A run with no tests, or a missing report, counts as a failure: a CI that ran nothing must not look green.
import { existsSync, readFileSync } from "node:fs";

const file = process.argv[2] ?? ".test-results/vitest.json";
if (!existsSync(file)) {
  console.log("0 passed, 1 failed");
  console.error(`no test report at ${file}: the test run did not finish`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, "utf8")) as {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
  testResults: { status: string; message?: string; name: string }[];
};
// A file that failed to load (syntax error, failing beforeAll) has no test results of its own: count it.
const brokenFiles = report.testResults.filter((f) => f.status === "failed" && f.message).length;
const failed = report.numFailedTests + brokenFiles;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || report.numPassedTests === 0 ? 1 : 0);
