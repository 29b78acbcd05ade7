import { describePackedExample } from "./packed-example";

describePackedExample("global-conversion");
