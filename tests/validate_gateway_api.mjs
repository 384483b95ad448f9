// Validates Gateway API objects (JSON array on stdin) with the validators that
// @kubernetes-models/gateway-api generates from the Gateway API CRDs; prints one JSON array of
// {index, kind, name, error} for the objects that fail, [] when all pass.
import { readFileSync } from "node:fs";
import { Gateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import { GatewayClass } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";

const models = { Gateway, GatewayClass, HTTPRoute };
const failures = [];
JSON.parse(readFileSync(0, "utf8")).forEach((object, index) => {
  const Model = models[object.kind];
  const name = object.metadata?.name;
  if (!Model || object.apiVersion !== Model.apiVersion) {
    failures.push({ index, kind: object.kind, name, error: `no validator for ${object.apiVersion} ${object.kind}` });
    return;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    failures.push({ index, kind: object.kind, name, error: String(error.message ?? error) });
  }
});
process.stdout.write(JSON.stringify(failures));
