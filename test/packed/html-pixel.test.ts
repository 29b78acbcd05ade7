import { describePackedExample } from "./packed-example";

describePackedExample("html-pixel");
