//go:build tools

// Package languagehost exists only so that this wrapper module can pin the dependencies of the Node and
// Python language hosts of sdk/v3; scripts/ensure-pulumi builds
// github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs and
// github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python from it.
package languagehost

import (
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)
