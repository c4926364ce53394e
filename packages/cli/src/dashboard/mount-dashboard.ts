import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import express from "express";

/** The page's files: plain HTML, CSS and ES modules, served as they are (no build step, nothing from the internet). */
export const PAGE_DIR = fileURLToPath(new URL("./page/", import.meta.url));

/** Libraries the page imports as they are published (ES modules): morphdom, for redraws that change only what differs (page/morph.js). */
const VENDOR = new Map([["morphdom.js", createRequire(import.meta.url).resolve("morphdom/dist/morphdom-esm.js")]]);

/**
 * `/_sim/ui`: the dashboard (presentation, so it lives with the cli). It reads everything from
 * `/_sim/events` (core's EventHub) and `/_sim/clock` when the simulator has one. Mounted with
 * `sim.simApi.use(() => dashboardRouter())`, or on any express app (`lambda-sim ui --trace`).
 */
export function dashboardRouter(): express.Router {
  const router = express.Router();
  router.get("/_sim/ui", (_req, res) => res.sendFile("index.html", { root: PAGE_DIR }));
  router.get("/_sim/ui/vendor/:file", (req, res, next) => {
    const file = VENDOR.get(req.params.file);
    if (file === undefined) return next();
    res.type("text/javascript").sendFile(file);
  });
  router.use("/_sim/ui", express.static(PAGE_DIR, { index: "index.html", maxAge: 0 }));
  return router;
}
