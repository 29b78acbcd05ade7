//go:build tools

// Package languagehost exists only so that this wrapper module can pin the Node language host's
// dependencies; scripts/ensure-pulumi builds
// github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs from it.
package languagehost

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
