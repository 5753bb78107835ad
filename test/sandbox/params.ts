/** Turns a request's query string and body into Stripe params, refusing the bodies Stripe refuses. */
import type { IncomingHttpHeaders } from 'node:http';
import { bodyOnGet, malformedParams, StripeApiError, unsupportedContentType } from './errors';
import { FormObject, FormSyntaxError, parseFormEncoded } from './forms';
import { firstHeader } from './headers';

export type ParamsResult = { ok: true; params: FormObject } | { ok: false; error: StripeApiError; params: FormObject };

export function readRequestParams(method: string, query: string, rawBody: string, headers: IncomingHttpHeaders): ParamsResult {
  try {
    const fromQuery = parseFormEncoded(query);
    if (method !== 'POST') {
      if (rawBody.length > 0) return { ok: false, error: bodyOnGet(), params: fromQuery };
      return { ok: true, params: fromQuery };
    }
    const contentType = firstHeader(headers, 'content-type') ?? '';
    const trimmed = rawBody.trimStart();
    if (/json/i.test(contentType) || trimmed.startsWith('{') || trimmed.startsWith('[')) {
      return { ok: false, error: unsupportedContentType(contentType), params: fromQuery };
    }
    return { ok: true, params: { ...fromQuery, ...parseFormEncoded(rawBody) } };
  } catch (error) {
    if (error instanceof FormSyntaxError) return { ok: false, error: malformedParams(error.message, error.param), params: {} };
    throw error;
  }
}
