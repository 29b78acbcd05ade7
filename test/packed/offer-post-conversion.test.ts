import { describePackedExample } from "./packed-example";

describePackedExample("offer-post-conversion");
