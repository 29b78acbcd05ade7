import { describePackedExample } from "./packed-example";

describePackedExample("facebook-pixel");
