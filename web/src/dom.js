// h builds DOM elements: h('div', {class: 'x', onclick: fn}, child, 'text', ...). Text is always set
// as text, never as HTML, so names and notes from the database cannot inject markup.
export function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (v == null || v === false) continue;
        if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else if (k in el && typeof v !== 'string') el[k] = v;
        else el.setAttribute(k, v === true ? '' : v);
    }
    append(el, children);
    return el;
}

function append(el, children) {
    for (const c of children) {
        if (c == null || c === false) continue;
        if (Array.isArray(c)) append(el, c);
        else el.append(c instanceof Node ? c : String(c));
    }
}

// replace empties el and appends the children.
export function replace(el, ...children) {
    el.replaceChildren();
    append(el, children);
    return el;
}
