// An HTML pixel: Everflow renders this snippet on the conversion page instead of calling a URL. The
// {macros} are filled in per conversion.
//
//   pulumi config set --secret everflow:apiKey <key>
import { Postback } from "pulumi-everflow";

const pixel = new Postback("html-conversion-pixel", {
  deliveryMethod: "html",
  pixelLevel: "global",
  pixelType: "conversion",
  htmlCode:
    '<img src="https://px.example.com/conversion?tid={transaction_id}&offer={offer_id}&amount={revenue}" ' +
    'width="1" height="1" style="display:none" alt="" />',
});

export const pixelId = pixel.pixelId;
export const htmlCode = pixel.htmlCode;
