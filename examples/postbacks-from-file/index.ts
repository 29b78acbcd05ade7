// Many postbacks declared as data: postbacks.json lists them (a name plus the Postback's arguments) and a
// PostbackSet creates one Postback per entry. Add, change or remove an entry and `pulumi up` creates,
// updates or deactivates exactly that postback.
//
//   pulumi config set --secret everflow:apiKey <key>
import * as fs from "node:fs";
import * as path from "node:path";
import { PostbackSet } from "./postback-set";

const file = path.join(__dirname, "postbacks.json");
const postbacks = new PostbackSet("postbacks", {
  entries: JSON.parse(fs.readFileSync(file, "utf8")),
  source: "postbacks.json",
});

/** The Everflow id of every postback, by its name in postbacks.json. */
export const ids = postbacks.ids;
