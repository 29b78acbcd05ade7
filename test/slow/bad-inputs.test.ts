import { BAD_INPUT_SAMPLE, BAD_INPUTS } from "../support/bad-inputs";
import { describeBadInputPreviews } from "../support/bad-input-previews";

// Every case of the shared list through the engine, but the sample `npm test` runs
// (test/e2e/bad-inputs.test.ts).
const rest = BAD_INPUTS.filter((c) => !BAD_INPUT_SAMPLE.includes(c));
describeBadInputPreviews(`${rest.length} more invalid declarations`, rest);
