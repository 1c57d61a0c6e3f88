namespace HipVision.Cli.Verify;

/// <summary>Outcome of one check.</summary>
enum VerifyStatus { Pass, Fail, Skipped }

/// <summary>
/// One line of the verify table: an op (family, name, shapes) or a fixture model, on one backend, against a reference, with
/// max |Δ| and ‖Δ‖/‖ref‖ (NaN when not run) and, for skips and failures, why.
/// </summary>
sealed record VerifyRow(string Kind, string Family, string Name, string Shape, string Backend, string Reference, VerifyStatus Status,
    double MaxAbsError, double RelError, string Note, double Milliseconds);
