// Runs the reference relay, @automerge/automerge-repo-sync-server (installed in $REFRELAY_DIR),
// listening on 127.0.0.1 only: the package itself listens on every interface.
import { pathToFileURL } from "node:url";

const dir = process.env.REFRELAY_DIR;
const load = (path) => import(pathToFileURL(`${dir}/node_modules/${path}`).href);
const express = (await load("express/index.js")).default;
const listen = express.application.listen;
express.application.listen = function (port, ...rest) {
  return listen.call(this, port, "127.0.0.1", ...rest);
};
const { Server } = await load("@automerge/automerge-repo-sync-server/src/server.js");
new Server();
