// Two Everflow postbacks from a Go program: a global conversion postback, and an offer's
// post-conversion postback with a delay. The default provider reads the stack's everflow:apiKey (and
// everflow:baseUrl), as the TypeScript examples do:
//
//	pulumi config set --secret everflow:apiKey <your affiliate API key>
//	pulumi config set offerId 42   # optional, default 42
package main

import (
	"github.com/pulumi-everflow/pulumi-everflow/sdk/go/everflow"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		offerID := cfg.GetInt("offerId")
		if offerID == 0 {
			offerID = 42
		}

		conversion, err := everflow.NewPostback(ctx, "conversion", &everflow.PostbackArgs{
			DeliveryMethod: everflow.DeliveryMethodPostback,
			PixelLevel:     everflow.PixelLevelGlobal,
			PixelType:      everflow.PixelTypeConversion,
			PostbackUrl:    pulumi.String("https://track.example.com/everflow?tid={transaction_id}&amount={revenue}"),
		})
		if err != nil {
			return err
		}

		offerEvents, err := everflow.NewPostback(ctx, "offer-events", &everflow.PostbackArgs{
			DeliveryMethod: everflow.DeliveryMethodPostback,
			PixelLevel:     everflow.PixelLevelSpecific,
			NetworkOfferId: pulumi.Int(offerID),
			PixelType:      everflow.PixelTypePostConversion,
			PostbackUrl:    pulumi.String("https://track.example.com/everflow/event?tid={transaction_id}&event={event_name}"),
			DelayMs:        pulumi.Int(60000),
		})
		if err != nil {
			return err
		}

		ctx.Export("conversionPixelId", conversion.PixelId)
		ctx.Export("offerEventsPixelId", offerEvents.PixelId)
		return nil
	})
}
