import { BAD_INPUT_SAMPLE } from "../support/bad-inputs";
import { describeBadInputPreviews } from "../support/bad-input-previews";

// One case of each kind; every other case of the shared list runs in `npm run test:slow`
// (test/slow/bad-inputs.test.ts), and all of them against check itself in test/unit/core/check.test.ts.
describeBadInputPreviews(
  `${BAD_INPUT_SAMPLE.length} invalid declarations, one of each kind`,
  BAD_INPUT_SAMPLE,
);
