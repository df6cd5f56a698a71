import { documentToHtmlString } from '@contentful/rich-text-html-renderer';
import type { Document } from '@contentful/rich-text-types';
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

// Markdown may carry raw HTML, and so may a rich-text document's text; whatever the source, the
// HTML a website embeds has been through one allowlist: no scripts, no event handlers, no
// `javascript:` URLs.
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'h1', 'h2'],
  allowedAttributes: {
    a: ['href', 'title', 'name', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    '*': ['id'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
};

// One instance with its own options: `marked`'s global options are shared with any other user.
const markdown = new Marked({ async: false, gfm: true });

export const sanitize = (html: string) => sanitizeHtml(html, SANITIZE);

/** Markdown → HTML safe to embed in a page. */
export const renderMarkdown = (source: string) =>
  sanitize(markdown.parse(source, { async: false }) as string);

/** A Contentful rich-text document → HTML safe to embed. */
export const renderRichText = (document: Document) => sanitize(documentToHtmlString(document));
