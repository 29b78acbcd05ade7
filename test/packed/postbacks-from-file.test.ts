import { describePackedExample } from "./packed-example";

describePackedExample("postbacks-from-file");
