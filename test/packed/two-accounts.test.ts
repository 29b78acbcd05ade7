import { describePackedExample } from "./packed-example";

describePackedExample("two-accounts");
