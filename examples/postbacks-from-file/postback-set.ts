import * as pulumi from "@pulumi/pulumi";
import { Postback, PostbackArgs } from "pulumi-everflow";

/** One entry of the data file: a name, unique in the file, and the arguments of a Postback. */
export type PostbackEntry = PostbackArgs & { name: string };

export interface PostbackSetArgs {
  /** The parsed data file: an array of entries. */
  entries: unknown;
  /** Where the entries come from (a file name), for error messages. */
  source?: string;
}

/**
 * Checks only what the set itself relies on: an array of objects, each with a non-empty `name` that no
 * other entry uses (the name becomes part of the postback's resource name). The postback fields are
 * checked by the provider, which reports every problem with its property path at `pulumi preview`.
 */
export function parsePostbackEntries(data: unknown, source = "postbacks"): PostbackEntry[] {
  if (!Array.isArray(data)) throw new Error(`${source}: expected an array of postbacks`);
  const problems: string[] = [];
  const firstUse = new Map<string, number>();
  data.forEach((entry: unknown, index) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push(`entry ${index}: expected an object`);
      return;
    }
    const name = (entry as { name?: unknown }).name;
    if (typeof name !== "string" || name.trim() === "") {
      problems.push(`entry ${index}: "name" must be a non-empty string`);
      return;
    }
    const first = firstUse.get(name);
    if (first === undefined) firstUse.set(name, index);
    else problems.push(`entry ${index}: the name "${name}" is already used by entry ${first}`);
  });
  if (problems.length > 0) throw new Error(`${source} is invalid:\n  ${problems.join("\n  ")}`);
  return data as PostbackEntry[];
}

/**
 * A set of postbacks declared as data: one Postback per entry, as children of this component (so
 * `pulumi preview` shows them grouped under it), named `<set name>-<entry name>`.
 */
export class PostbackSet extends pulumi.ComponentResource {
  /** The postbacks by entry name. */
  readonly postbacks: Record<string, Postback>;
  /** The Everflow ids by entry name. */
  readonly ids: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: PostbackSetArgs, opts?: pulumi.ComponentResourceOptions) {
    // A file that fails the check registers nothing at all.
    const entries = parsePostbackEntries(args.entries, args.source);
    super("everflow-examples:index:PostbackSet", name, {}, opts);
    this.postbacks = {};
    for (const { name: entryName, ...fields } of entries) {
      this.postbacks[entryName] = new Postback(`${name}-${entryName}`, fields, { parent: this });
    }
    const ids: Record<string, pulumi.Output<number>> = {};
    for (const [entryName, postback] of Object.entries(this.postbacks)) ids[entryName] = postback.pixelId;
    this.ids = pulumi.all(ids);
    this.registerOutputs({ ids: this.ids });
  }
}
