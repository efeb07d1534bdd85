/** Ends the run with the plain line CI tools read: "N passed, N failed, N skipped". */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(
      `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
