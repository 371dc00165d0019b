"""Class mode's small pages: server-rendered HTML with a little vanilla JS that polls JSON.

No external script, font or image: the QR code is an SVG the server draws (``segno``).
Every value put into HTML is escaped; the scripts write text with ``textContent`` only.
"""

from __future__ import annotations

import json
from html import escape

from flask import Response

from dashboard.classroom.store import MAX_MOVES

STYLE = """
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0; padding: 1rem; color: #222;
       max-width: 60rem; margin: 0 auto; }
h1 { font-size: 1.5rem; } .code { font-size: 4rem; letter-spacing: .4rem; font-weight: 700; }
button, input { font-size: 1.1rem; padding: .7rem 1rem; margin: .25rem 0; border-radius: .4rem;
                border: 1px solid #888; }
button { background: #2b6cb0; color: #fff; border: 0; min-width: 44px; min-height: 44px; }
button:disabled { background: #999; }
.moves button { display: block; width: 100%; }
.row { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.box { border: 1px solid #ccc; border-radius: .5rem; padding: 1rem; flex: 1 1 16rem; }
.big { font-size: 3rem; font-weight: 700; } .err { color: #b00020; min-height: 1.4rem; }
table { border-collapse: collapse; } td, th { padding: .2rem .6rem; border-bottom: 1px solid #ddd;
                                              text-align: left; }
.qr { width: 100%; max-width: 22rem; }
"""


def html(body: str, title: str = "dyadsim class") -> Response:
    """A whole page around ``body``."""
    page = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<link rel='icon' href='data:,'><title>{escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{body}</body></html>")
    return Response(page, mimetype="text/html")


def start_page() -> str:
    """The teacher starts a class; students get a link to the join page."""
    return f"""<h1>Class mode</h1>
<p>Each student plays a partner of a couple from their phone, one week at a time. Against the
model, every student plays partner B (Alex, the avoidant one) and the model plays partner A
(Sam, the anxious one). In pairs, students are paired in the order they join: the first of
each pair plays Sam, the second Alex; a week runs when both have chosen. Your screen shows
the class live.</p>
<form method="post" action="/class/new"><label>Weeks to play
<input name="weeks" type="number" min="1" max="{MAX_MOVES}" value="12"></label><br>
<fieldset><legend>Students play</legend>
<label><input type="radio" name="mode" value="model" checked> against the model</label><br>
<label><input type="radio" name="mode" value="pairs" id="mode-pairs"> in pairs (a classmate
is the other partner)</label></fieldset>
<button type="submit" id="start">Start a class</button></form>
<p>Student? <a href="/class/join">Join a class with its code</a>. <a href="/">Back to the
dashboard</a></p>"""


def teacher_page(code: str, join_url: str, mode: str = "model") -> str:
    """The projector view: code, QR code, and the class live (per couple in pairs)."""
    code, url = escape(code), escape(join_url)
    pairs = mode == "pairs"
    how = ("In pairs: students are paired as they join, the first plays Sam (A), the second "
           "Alex (B)." if pairs else "Every student plays Alex (B) against the model's Sam "
           "(A).")
    counted = ("Each couple counted under each side's most-played move." if pairs else
               "Each couple counted under the move its student chose most.")
    compare = ("The same couples (same seeds, same weeks) with Alex reassuring every week "
               "(the antidote) and Sam as the model plays, and with both partners as the "
               "model plays them." if pairs else "The same couples (same seeds, same weeks) "
               "with partner B reassuring every week (the antidote), and with partner B as "
               "the model plays them.")
    couples = ("""<h2>Couples</h2><table id="couples"><thead><tr><th>couple</th><th>Sam (A)</th>
<th>Alex (B)</th><th>weeks</th><th>Sam's most-played</th><th>Alex's most-played</th>
<th>now</th><th>weeks the model stood in</th></tr></thead><tbody></tbody></table>"""
               if pairs else "")
    return f"""<h1>Class {code}</h1><p id="how">{escape(how)}</p>
<div class="row"><div class="box"><p>Join at <b>{url}</b> with the code</p>
<div class="code" id="code">{code}</div></div>
<div class="box"><img class="qr" src="/class/qr/{code}.svg" alt="QR code for {url}"></div></div>
<div class="row">
<div class="box"><div>Trapped</div><div class="big" id="n-trapped">0</div></div>
<div class="box"><div>Settled</div><div class="big" id="n-settled">0</div></div>
<div class="box"><div>Apart</div><div class="big" id="n-apart">0</div></div>
<div class="box"><div>Students</div><div class="big" id="n-students">0</div>
<div id="n-moves">0 moves</div></div></div>
{couples}
<h2>Which moves led where</h2><p>{escape(counted)}</p>
<table id="strategies"><thead><tr><th>most-played move</th><th>trapped</th><th>settled</th>
<th>apart</th></tr></thead><tbody></tbody></table>
<h2>Debrief</h2><p>{escape(compare)}</p>
<button id="debrief-btn">Compare</button> <button id="close-btn">End the class</button>
<table id="debrief"><tbody></tbody></table><p class="err" id="error"></p>
<script>
const CODE = {json.dumps(code)};
const PAIRS = {json.dumps(pairs)};
function who(p) {{ return p ? p.name + (p.left ? ' (left)' : '') : 'the model'; }}
function cell(tr, text) {{ const td = document.createElement('td'); td.textContent = text;
  tr.appendChild(td); }}
function fill(id, rows) {{ const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren(); for (const r of rows) {{ const tr = document.createElement('tr');
  r.forEach(v => cell(tr, v)); body.appendChild(tr); }} }}
async function get(path, opts) {{ const r = await fetch('/class/api/' + CODE + path, opts);
  const data = await r.json(); if (!r.ok) throw new Error(data.error); return data; }}
async function poll() {{
  try {{ const v = await get('/class');
    for (const k of ['trapped', 'settled', 'apart'])
      document.getElementById('n-' + k).textContent = v.now[k];
    document.getElementById('n-students').textContent = v.students;
    document.getElementById('n-moves').textContent = v.moves + ' moves';
    fill('strategies', Object.entries(v.strategies).map(([m, c]) =>
      [v.labels[m] || m, c.trapped || 0, c.settled || 0, c.apart || 0]));
    if (PAIRS) fill('couples', v.list.map(c => [c.couple, who(c.a), who(c.b), c.weeks,
      v.labels['a:' + c.strategy_a] || '', v.labels['b:' + c.strategy_b] || '',
      c.outcome ? c.group + ' (' + c.outcome + ')' : 'waiting', c.stood_in]));
    document.getElementById('error').textContent = v.closed ? 'This class has ended.' : '';
  }} catch (e) {{ document.getElementById('error').textContent = e.message; }}
}}
document.getElementById('debrief-btn').onclick = async () => {{
  try {{ const d = await get('/debrief');
    fill('debrief', [['', 'trapped', 'settled', 'apart'],
      ...[['the class', d.class], ['always reassure (the antidote)', d.antidote],
          [PAIRS ? 'both partners as the model plays them' : "the model's partner B",
           d.model]].map(([n, c]) =>
          [n, c.trapped, c.settled, c.apart])]);
  }} catch (e) {{ document.getElementById('error').textContent = e.message; }} }};
document.getElementById('close-btn').onclick = async () => {{
  try {{ await get('/close', {{method: 'POST'}}); poll(); }}
  catch (e) {{ document.getElementById('error').textContent = e.message; }} }};
poll(); setInterval(poll, 2000);
</script>"""


def join_page(code: str) -> str:
    """A student's phone: join with the code and a name, then one button per move.

    The buttons are the student's side's moves (the server sends them). In pairs the page
    polls every 2 s while the game goes on: for the partner's move, a classmate joining, a
    partner leaving; an answer that left before a click is dropped (``SEQ``).
    """
    return f"""<h1>Play a partner</h1>
<form id="join"><label>Class code <input id="code" name="code" autocomplete="off"
 autocapitalize="characters" maxlength="5" value="{escape(code)}"></label><br>
<label>Your name <input id="name" name="name" maxlength="24"></label><br>
<button type="submit">Join</button></form>
<div id="game" hidden><p id="role"></p><p id="week"></p>
<p id="partner"></p><div class="moves" id="moves"></div><p id="message"></p>
<ul id="notes"></ul>
<button id="leave" style="background:#666">Leave the class</button></div>
<p class="err" id="error"></p>
<script>
let CODE = '', WEEK = 1, TIMER = null, SEQ = 0;
const err = (t) => document.getElementById('error').textContent = t;
const text = (id, t) => document.getElementById(id).textContent = t;
async function call(path, body) {{
  const r = await fetch('/class/api/' + CODE + path, body === undefined ? {{}} :
    {{method: 'POST', headers: {{'Content-Type': 'application/json'}},
     body: JSON.stringify(body)}});
  const data = await r.json(); if (!r.ok) throw new Error(data.error); return data; }}
function buttons(moves) {{
  const box = document.getElementById('moves');
  if (box.dataset.side === moves.map(m => m.name).join()) return;
  box.dataset.side = moves.map(m => m.name).join(); box.replaceChildren();
  for (const m of moves) {{ const b = document.createElement('button');
    b.dataset.move = m.name; b.textContent = m.label;
    b.onclick = async () => {{ SEQ++;
      try {{ show(await call('/move', {{week: WEEK, move: m.name}})); }}
      catch (e) {{ err(e.message); }} }};
    box.appendChild(b); }} }}
async function poll() {{ TIMER = null; const seq = SEQ;
  try {{ const s = await call('/me'); if (seq === SEQ) show(s); else later(s); }}
  catch (e) {{ err(e.message); }} }}
function later(s) {{
  if (s.mode === 'pairs' && !s.over && TIMER === null) TIMER = setTimeout(poll, 2000); }}
function show(s) {{
  WEEK = s.week; document.getElementById('join').hidden = true;
  document.getElementById('game').hidden = false;
  text('role', 'You are ' + s.role + (s.partner_name ? ', with ' + s.partner_name +
    ' as your partner.' : '.'));
  text('week', s.over ? 'The game is over.' : s.waiting ? 'Week ' + s.week + ' of ' +
    s.weeks + ': your move is in; waiting for ' + s.waiting_for + '\u2026' :
    'Week ' + s.week + ' of ' + s.weeks + ': what do you do?');
  text('partner', s.partner); text('message', s.message || '');
  buttons(s.moves);
  document.querySelectorAll('[data-move]').forEach(b => b.disabled = s.over || s.waiting);
  const notes = document.getElementById('notes'); notes.replaceChildren();
  for (const n of s.notes || []) {{ const li = document.createElement('li');
    li.textContent = n; notes.appendChild(li); }}
  err(''); later(s); }}
document.getElementById('join').onsubmit = async (ev) => {{
  ev.preventDefault(); CODE = document.getElementById('code').value.trim().toUpperCase();
  try {{ await call('/join', {{name: document.getElementById('name').value}});
    show(await call('/me')); }} catch (e) {{ err(e.message); }} }};
document.getElementById('leave').onclick = async () => {{
  try {{ await call('/leave', {{}}); err('You have left the class.');
    if (TIMER !== null) clearTimeout(TIMER);
    document.getElementById('game').hidden = true; }} catch (e) {{ err(e.message); }} }};
</script>"""
