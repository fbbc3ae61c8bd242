// Stand-in for the Flareo libraries in the help bundle (`dist/help-command.cjs`, see
// tsup.config.ts and cli.ts): that bundle holds every command's definition, to print help, and
// none of the libraries the commands' actions import on demand. cli.ts sends it only command
// lines that commander answers with help or a usage error (help-route.ts), so no action runs
// there; one that did would import a library, reach this module and end as an internal error
// (status 2) instead of running without its library. Reaching this is a packaging bug.
throw new Error('internal: the help bundle of flareo cannot run a command');
