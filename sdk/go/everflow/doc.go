// Everflow affiliate postbacks (pixels) as code: declare them, apply them with `pulumi up`, and catch hand edits with `pulumi preview --refresh`.
package everflow
