/* The advisor desk (desk.html): an RM or contact-center agent's queue, the opened handoff, and the copilot.
 *
 * Calls the desk server's API (see the design of issue 5): /api/login, /api/me, /api/desk/queue and
 * /api/desk/stream (SSE through fetch, so the Authorization header goes along), /api/desk/handoffs/{id}
 * (+ /take, /reply, /hand-back, /close, /suggestions), /api/desk/clients/{id}/overview, /suitability,
 * /cases, /api/desk/csat and /api/desk/assistant. Uses the helpers of chat.js (window.PremierWeb).
 * Every text from the server goes into the page as textContent only.
 */
"use strict";

(function () {
  const { el, api, openEventStream, bankTime, clock, normaliseMessage, showLoginError, submitLogin } = window.PremierWeb;
  const $ = (id) => document.getElementById(id);

  const TOKEN_KEY = "premier.desk.token";
  const ROLE_NAMES = { advisor: "客户经理", agent: "服务专员" };
  const SPEAKERS = { client: "客户", bot: "智能助理", agent: "人工", system: "系统" };
  const MOODS = { negative: "负面", neutral: "中性", positive: "正面" };
  const STATUS_NAMES = { waiting: "等待接入", taken: "服务中", handed_back: "已交还智能助理", closed: "已结束" };

  const state = {
    token: null,
    me: null,
    stream: null,
    queue: [], // QueueItems with a local deadline (ms)
    selectedId: null,
    detail: null, // {handoff, package, messages, csat}
    seen: new Set(), // message ids shown in the live list
    queueTimer: null,
    busy: false,
  };

  // ---------------------------------------------------------------- login
  const LOGIN_TEXTS = {
    missing: "请输入员工号和登录密码，或粘贴登录令牌。",
    wrongRole: "工作台仅供客户经理和服务专员使用。",
    failed: "登录失败，请检查员工号和密码。",
    unavailable: "登录服务暂时不可用，请稍后再试。",
  };

  function login(event) {
    return submitLogin(event, (answer) => answer.role in ROLE_NAMES, LOGIN_TEXTS,
      (answer) => startSession(answer.token, { role: answer.role, user_id: answer.user_id, name: answer.name }));
  }

  function startSession(token, me) {
    state.token = token;
    state.me = me;
    sessionStorage.setItem(TOKEN_KEY, token);
    $("login-view").hidden = true;
    $("desk-view").hidden = false;
    $("me").textContent = (me.name || me.user_id) + " · " + (ROLE_NAMES[me.role] || "");
    loadQueue();
    loadRecentCsat();
    state.stream = openEventStream(token, "/api/desk/stream", onStreamEvent, {
      onOpen: (reconnected) => {
        $("connection").textContent = "● 实时";
        if (reconnected) {
          loadQueue();
          if (state.selectedId) openHandoff(state.selectedId, true);
        }
      },
      onDown: () => { $("connection").textContent = "○ 重新连接中…"; },
      onUnauthorized: () => endSession("登录已过期，请重新登录。"),
    });
  }

  function endSession(message) {
    if (state.stream) state.stream.close();
    Object.assign(state, { token: null, me: null, stream: null, queue: [], selectedId: null, detail: null, seen: new Set() });
    sessionStorage.removeItem(TOKEN_KEY);
    $("queue").replaceChildren();
    clearDetail();
    $("desk-view").hidden = true;
    $("login-view").hidden = false;
    showLoginError(message || "");
  }

  /** api() with this session's token; a 401 ends the session. */
  async function call(method, path, body) {
    try {
      return await api(state.token, method, path, body);
    } catch (error) {
      if (error.status === 401) endSession("登录已过期，请重新登录。");
      throw error;
    }
  }

  const failure = (error, fallback) => error.detail || (error.status === 0 ? "网络连接失败，请稍后再试。" : fallback);

  // ---------------------------------------------------------------- the queue
  async function loadQueue() {
    try {
      const answer = await call("GET", "/api/desk/queue");
      const fetchedAt = Date.now();
      state.queue = (answer.handoffs || []).map((item) => Object.assign({}, item, {
        deadline: typeof item.seconds_left === "number" ? fetchedAt + item.seconds_left * 1000 : Date.parse(item.reply_expected_by),
      }));
      renderQueue();
    } catch (error) {
      // the stream's next event or reconnection loads it again
    }
  }

  function scheduleQueueLoad() {
    clearTimeout(state.queueTimer);
    state.queueTimer = setTimeout(loadQueue, 250);
  }

  function renderQueue() {
    const items = state.queue.map((item) => {
      const badges = [el("span", { className: "badge tier", text: item.tier || "未登录" })];
      if (item.urgent) badges.push(el("span", { className: "badge urgent", "data-testid": "urgent", text: "紧急" }));
      const right = item.status === "taken"
        ? el("span", { className: "badge taken", text: item.taken_by_name || item.taken_by ? "服务中 · " + (item.taken_by_name || item.taken_by) : "服务中" })
        : el("span", { className: "countdown", "data-testid": "countdown", "data-deadline": String(item.deadline) });
      return el("li", {
        className: "queue-item" + (item.id === state.selectedId ? " selected" : ""),
        "data-testid": "queue-item",
        "data-handoff-id": item.id,
        "data-status": item.status,
        tabindex: "0",
        onclick: () => openHandoff(item.id),
        onkeydown: (event) => { if (event.key === "Enter") openHandoff(item.id); },
      }, [
        el("div", { className: "line1" }, [el("span", { className: "name", text: item.client_name || "访客" }), ...badges]),
        el("div", { className: "line2" }, [el("span", { text: item.reason_label || item.reason || "" }), right]),
      ]);
    });
    $("queue").replaceChildren(...items);
    $("queue-empty").hidden = items.length > 0;
    $("queue-count").textContent = items.length ? "(" + items.length + ")" : "";
    tick();
  }

  /** Every second: the time left of each waiting request, red once overdue. */
  function tick() {
    for (const node of document.querySelectorAll("[data-deadline]")) {
      const deadline = Number(node.dataset.deadline);
      if (!Number.isFinite(deadline)) continue;
      const left = Math.round((deadline - Date.now()) / 1000);
      node.textContent = left >= 0 ? "剩余 " + clock(left) : "已超时 " + clock(left);
      node.classList.toggle("overdue", left < 0);
    }
  }

  // ---------------------------------------------------------------- the opened handoff
  function clearDetail() {
    state.detail = null;
    $("detail").hidden = true;
    $("reply-box").hidden = true;
    $("no-selection").hidden = false;
    $("client-360").replaceChildren("打开会话后显示客户资料。");
    $("client-360").className = "empty";
    $("suggestions").replaceChildren();
    $("suitability-verdict").replaceChildren();
    $("cases").replaceChildren();
    renderCsat(null);
  }

  async function openHandoff(id, quiet) {
    const changed = id !== state.selectedId;
    state.selectedId = id;
    for (const node of document.querySelectorAll("[data-testid=queue-item]")) {
      node.classList.toggle("selected", node.dataset.handoffId === id);
    }
    let answer;
    try {
      answer = await call("GET", "/api/desk/handoffs/" + encodeURIComponent(id));
    } catch (error) {
      if (!quiet) notice(failure(error, "无法打开该会话。"), true);
      return;
    }
    if (state.selectedId !== id) return; // another one was opened meanwhile
    state.detail = answer;
    renderDetail(changed);
    if (changed) {
      $("reply-input").value = "";
      notice("");
      loadCopilot(answer);
    }
  }

  function renderDetail(fresh) {
    const { handoff, package: pack } = state.detail;
    $("no-selection").hidden = true;
    $("detail").hidden = false;
    $("reply-box").hidden = false;
    $("detail-name").textContent = handoff.client_name || "访客";
    const badges = [el("span", { className: "badge tier", text: handoff.tier || "未登录" }),
      el("span", { className: "badge", text: handoff.reason_label || handoff.reason || "" })];
    if (handoff.urgent) badges.push(el("span", { className: "badge urgent", text: "紧急" }));
    if (pack && pack.sentiment) badges.push(el("span", { className: "mood " + pack.sentiment, text: "整体情绪：" + (MOODS[pack.sentiment] || pack.sentiment) }));
    $("detail-badges").replaceChildren(...badges);
    renderStatus();
    $("detail-summary").textContent = (pack && pack.summary) || handoff.summary || "";
    $("detail-steps").replaceChildren(...((pack && pack.next_steps) || []).map((step) => el("li", { text: step })));
    $("transcript").replaceChildren(...((pack && pack.transcript) || []).map(transcriptLine));
    if (fresh) {
      state.seen = new Set();
      $("live").replaceChildren();
    }
    for (const raw of state.detail.messages || []) addLive(raw);
    renderCsat(state.detail.csat);
  }

  function renderStatus() {
    const handoff = state.detail.handoff;
    const mine = heldByMe(handoff);
    let text = STATUS_NAMES[handoff.status] || handoff.status;
    if (handoff.target_name) text += " · 转给 " + handoff.target_name;
    if (handoff.status === "taken") text += mine ? " · 由您接入" : " · 已由 " + (handoff.taken_by_name || handoff.taken_by || "他人") + " 接入";
    if (handoff.status === "waiting" && handoff.reply_expected_by) text += " · 请于 " + bankTime(handoff.reply_expected_by) + " 前回复";
    $("detail-status").textContent = text;
    const open = handoff.status === "waiting" || handoff.status === "taken";
    $("take").disabled = state.busy || handoff.status !== "waiting";
    $("take").hidden = handoff.status === "taken" && mine;
    $("send").disabled = state.busy || !(open && mine);
    $("hand-back").disabled = state.busy || !(open && mine);
    $("close").disabled = state.busy || !(open && mine);
    $("reply-input").disabled = !open || (handoff.status === "taken" && !mine);
  }

  function heldByMe(handoff) {
    return handoff.status === "taken" && !!state.me &&
      (handoff.taken_by === state.me.user_id || handoff.taken_by === state.me.name);
  }

  function transcriptLine(line) {
    const speaker = line.speaker || "bot";
    const meta = [];
    if (line.intent) meta.push("意图：" + line.intent);
    const entities = (line.entities || []).map((pair) => (Array.isArray(pair) ? pair.join("=") : String(pair)));
    if (entities.length) meta.push("实体：" + entities.join("，"));
    const mood = speaker === "client" && line.sentiment
      ? el("span", {
        className: "mood " + line.sentiment, "data-testid": "sentiment",
        title: typeof line.sentiment_score === "number" ? "情绪分 " + line.sentiment_score.toFixed(2) : null,
        text: MOODS[line.sentiment] || line.sentiment,
      })
      : null;
    return el("li", { className: "line " + speaker, "data-testid": "transcript-line" }, [
      el("span", { className: "who", text: (SPEAKERS[speaker] || speaker) + (line.at ? " " + bankTime(line.at) : "") }),
      el("span", {}, [el("span", { className: "text", text: line.text || "" }), mood,
        meta.length ? el("span", { className: "meta", text: meta.join(" · ") }) : null]),
    ]);
  }

  function addLive(raw) {
    const message = normaliseMessage(raw);
    if (message.id) {
      if (state.seen.has(message.id)) return;
      state.seen.add(message.id);
    }
    const who = message.from === "agent" ? (message.sender_name || SPEAKERS.agent) : SPEAKERS[message.from];
    const texts = [el("span", { className: "text", text: message.text })];
    if (message.buttons.length) texts.push(el("span", { className: "meta", text: "按钮：" + message.buttons.map((b) => b.title).join(" / ") }));
    $("live").append(el("li", { className: "line " + message.from, "data-testid": "live-" + message.from }, [
      el("span", { className: "who", text: who + " " + bankTime(message.at) }),
      el("span", {}, texts),
    ]));
    $("live-empty").hidden = true;
  }

  function notice(text, isError) {
    $("reply-notice").textContent = text || "";
    $("reply-notice").className = "notice" + (isError ? " error" : "");
  }

  /** Runs one desk action on the opened handoff with the buttons held meanwhile. */
  async function act(path, body, done, fallback) {
    if (!state.detail || state.busy) return;
    const id = state.detail.handoff.id;
    state.busy = true;
    renderStatus();
    try {
      const answer = await call("POST", "/api/desk/handoffs/" + encodeURIComponent(id) + path, body);
      if (state.selectedId === id) done(answer);
    } catch (error) {
      if (state.selectedId === id) notice(failure(error, fallback), true);
      if (error.status === 409 || error.status === 403) openHandoff(id, true); // someone else moved it: show how it is now
    } finally {
      state.busy = false;
      if (state.detail) renderStatus();
    }
  }

  function take() {
    act("/take", undefined, (answer) => {
      state.detail.handoff = answer.handoff;
      notice("已接入，客户会看到您已加入。");
      scheduleQueueLoad();
      $("reply-input").focus();
    }, "接入失败，请稍后再试。");
  }

  function reply(event) {
    if (event) event.preventDefault();
    const text = $("reply-input").value.trim();
    if (!text) return notice("请先输入回复内容。", true);
    act("/reply", { text }, (answer) => {
      $("reply-input").value = "";
      addLive(answer.message);
      notice("");
    }, "发送失败，请稍后再试。");
  }

  function end(path, done) {
    act(path, undefined, (answer) => {
      state.detail.handoff = answer.handoff;
      for (const raw of answer.bot_messages || []) addLive(raw);
      notice(done);
      scheduleQueueLoad();
    }, "操作失败，请稍后再试。");
  }

  // ---------------------------------------------------------------- the copilot
  function loadCopilot(detail) {
    const clientId = detail.handoff.client_id;
    const id = detail.handoff.id;
    $("suitability-verdict").replaceChildren();
    renderClient360(detail.package && detail.package.client, null);
    $("suggestions").replaceChildren(el("p", { className: "empty", text: "加载中…" }));
    call("GET", "/api/desk/handoffs/" + encodeURIComponent(id) + "/suggestions")
      .then((answer) => { if (state.selectedId === id) renderSuggestions(answer.replies || []); })
      .catch((error) => { if (state.selectedId === id) $("suggestions").replaceChildren(el("p", { className: "empty", text: failure(error, "暂无建议回复。") })); });
    if (!clientId) {
      $("cases").replaceChildren(el("p", { className: "empty", text: "未登录客户，无工单信息。" }));
      return;
    }
    const base = "/api/desk/clients/" + encodeURIComponent(clientId);
    call("GET", base + "/overview")
      .then((overview) => { if (state.selectedId === id) renderClient360(detail.package && detail.package.client, overview); })
      .catch(() => { /* the package's client 360 stays */ });
    $("cases").replaceChildren(el("p", { className: "empty", text: "加载中…" }));
    call("GET", base + "/cases")
      .then((answer) => { if (state.selectedId === id) renderCases(answer); })
      .catch((error) => {
        if (state.selectedId !== id) return;
        const known = detail.package && detail.package.client && detail.package.client.open_cases;
        if (Array.isArray(known)) renderCases({ cases: known, available: true }); // as at the handoff
        else $("cases").replaceChildren(el("p", { className: "empty", text: failure(error, "无法读取工单。") }));
      });
  }

  const money = (value) => {
    const number = Number(value);
    return Number.isFinite(number) ? number.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : String(value);
  };
  const PLACES = { rm_office: "客户经理办公室", vip_room: "贵宾室" };
  const daysLeft = (days) => (typeof days === "number" ? (days >= 0 ? "（还有" + days + "天）" : "（已过" + -days + "天）") : "");

  function holdingLine(item) {
    return el("li", { className: item.above_tolerance ? "overdue" : null }, [
      [item.product_name, item.risk, item.currency + " " + money(item.market_value),
        item.pnl !== undefined && item.pnl !== null ? "盈亏 " + (Number(item.pnl) > 0 ? "+" : "") + money(item.pnl) : "",
        item.matures_on ? item.matures_on + "到期" : "", item.above_tolerance ? "高于风险承受能力" : ""]
        .filter(Boolean).join(" · "),
    ]);
  }

  function maturityLine(item) {
    const what = item.product_name || (item.account_tail ? "定期存款 尾号" + item.account_tail : "");
    return el("li", { text: [what, item.matures_on + "到期" + daysLeft(item.days_left), item.currency + " " + money(item.amount)].filter(Boolean).join(" · ") });
  }

  function appointmentLine(item) {
    return el("li", { text: [bankTime(item.starts_at), item.branch, PLACES[item.place] || item.place, item.rm_name].filter(Boolean).join(" · ") });
  }

  /** The client 360: the package's (at handoff time) first, then the live overview when it comes. */
  function renderClient360(fromPackage, overview) {
    const box = $("client-360");
    const client = Object.assign({}, fromPackage || {}, overview || {});
    if (!client.name) {
      box.className = "empty";
      box.replaceChildren("未登录客户，无客户资料。");
      return;
    }
    box.className = "";
    const facts = [];
    const fact = (label, text, warn) => { if (text) facts.push(el("dt", { text: label }), el("dd", { className: warn ? "warn" : null, text })); };
    fact("姓名", client.name + (client.client_id ? "（" + client.client_id + "）" : ""));
    fact("等级", client.tier);
    fact("资产规模", client.aum !== undefined && client.aum !== null ? "¥" + money(client.aum) : client.aum_band);
    if (client.risk_tolerance) {
      const expiry = client.risk_expires_on ? "，有效期至 " + client.risk_expires_on : "";
      const flag = client.risk_expired ? "（已过期，需重新测评）" : client.risk_renewal_due ? "（即将到期）" : "";
      fact("风险承受", client.risk_tolerance + expiry + flag, client.risk_expired);
    }
    fact("联系电话", client.phone_masked);
    fact("客户经理", [client.rm_name, client.backup_rm_name ? "备份 " + client.backup_rm_name : ""].filter(Boolean).join(" · "));
    if (client.is_elderly) fact("提示", "长者客户，请耐心细致，放慢节奏", true);
    const parts = [el("dl", { className: "facts", "data-testid": "client-facts" }, facts)];
    const list = (label, items, line) => {
      if (!Array.isArray(items) || !items.length) return;
      parts.push(el("h3", { text: label + "（" + items.length + "）" }), el("ul", { className: "mini" }, items.slice(0, 8).map(line)));
    };
    list("持仓", client.holdings, holdingLine);
    list("近期到期", client.maturities, maturityLine);
    list("预约", client.appointments || client.upcoming_appointments, appointmentLine);
    box.replaceChildren(...parts);
  }

  function renderSuggestions(replies) {
    if (!replies.length) {
      $("suggestions").replaceChildren(el("p", { className: "empty", text: "暂无建议回复。" }));
      return;
    }
    $("suggestions").replaceChildren(...replies.map((suggestion) => el("button", {
      type: "button", "data-testid": "suggestion",
      onclick: () => {
        // fills the reply box for the advisor to edit; never sends by itself
        $("reply-input").value = suggestion.text || "";
        $("reply-input").focus();
      },
    }, [el("strong", { text: suggestion.title || "" }), suggestion.text || ""])));
  }

  function renderCases(answer) {
    const cases = answer.cases || [];
    if (answer.available === false) {
      $("cases").replaceChildren(el("p", { className: "empty", text: "工单系统暂时无法连接，稍后再试。" }));
      return;
    }
    if (!cases.length) {
      $("cases").replaceChildren(el("p", { className: "empty", text: "没有未结工单。" }));
      return;
    }
    $("cases").replaceChildren(el("ul", { className: "mini" }, cases.map((item) => el("li", {
      className: item.overdue ? "overdue" : null, "data-testid": "case",
      text: [item.case_id, item.category, item.status, item.due_on ? "到期 " + item.due_on + (item.overdue ? "（已逾期）" : "") : ""]
        .filter(Boolean).join(" · "),
    }))));
  }

  async function checkSuitability(event) {
    event.preventDefault();
    const product = $("suitability-input").value.trim();
    const box = $("suitability-verdict");
    if (!state.detail || !state.detail.handoff.client_id) {
      box.replaceChildren(el("p", { className: "empty", text: "请先打开一位已登录客户的会话。" }));
      return;
    }
    if (!product) return;
    box.replaceChildren(el("p", { className: "empty", text: "检查中…" }));
    try {
      const answer = await call("POST", "/api/desk/clients/" + encodeURIComponent(state.detail.handoff.client_id) + "/suitability", { product });
      const head = (answer.product || product) + (answer.risk_level ? "（" + answer.risk_level + "）" : "") +
        (answer.suitable ? "：适合该客户" : "：不适合该客户");
      box.replaceChildren(el("div", { className: "verdict " + (answer.suitable ? "suitable" : "unsuitable"), "data-suitable": String(!!answer.suitable) }, [
        el("strong", { text: head }),
        el("ul", {}, (answer.reasons || []).map((reason) => el("li", { text: reason }))),
      ]));
    } catch (error) {
      box.replaceChildren(el("p", { className: "notice error", text: failure(error, "检查失败，请稍后再试。") }));
    }
  }

  /** 4 -> ★★★★☆ */
  function stars(score) {
    const whole = Math.max(0, Math.min(5, Math.round(Number(score) || 0)));
    return "★".repeat(whole) + "☆".repeat(5 - whole);
  }

  function renderCsat(csat) {
    const box = $("csat");
    if (!csat || !csat.score) {
      box.replaceChildren(el("p", { className: "empty", text: "暂无评价。" }));
      return;
    }
    const score = Math.max(0, Math.min(5, Number(csat.score) || 0));
    box.replaceChildren(
      el("div", {}, [el("span", { className: "stars", text: stars(score) }), " " + score + " 分"]),
      csat.comment ? el("p", { className: "notice", text: "客户留言：" + csat.comment }) : null,
    );
  }

  async function loadRecentCsat() {
    try {
      const answer = await call("GET", "/api/desk/csat");
      const ratings = answer.ratings || [];
      $("recent-csat").replaceChildren(...(ratings.length ? ratings.slice(0, 10).map((rating) => el("li", { "data-testid": "rating" }, [
        (rating.client_name || "访客") + " ",
        el("span", { className: "stars", title: rating.score + " 分", text: stars(rating.score) }),
        [rating.comment || "", bankTime(rating.created_at)].filter(Boolean).map((part) => " · " + part).join(""),
      ])) : [el("li", { className: "empty", text: "暂无评价。" })]));
    } catch (error) {
      $("recent-csat").replaceChildren();
    }
  }

  // ---------------------------------------------------------------- the assistant box
  async function askAssistant(event) {
    event.preventDefault();
    const text = $("assistant-input").value.trim();
    if (!text) return;
    $("assistant-input").value = "";
    await sendToAssistant(text, null);
  }

  /** Asks the assistant; a button's answer (which 王?) posts its payload, its title shown. */
  async function sendToAssistant(text, payload) {
    const box = $("assistant-answers");
    box.append(el("div", { className: "ask", text: "问：" + text }));
    const waiting = el("div", { className: "answer", text: "思考中…" });
    box.append(waiting);
    box.scrollTop = box.scrollHeight;
    try {
      const answer = await call("POST", "/api/desk/assistant", payload ? { text, payload } : { text });
      const messages = (answer.messages || []).map(normaliseMessage);
      waiting.replaceWith(...(messages.length ? messages.map((message) => el("div", { className: "answer", "data-testid": "assistant-answer" }, [
        message.text,
        message.buttons.length ? el("div", { className: "buttons" }, message.buttons.map((button) => el("button", {
          type: "button", className: "reply-button", text: button.title, "data-testid": "assistant-button",
          onclick: () => sendToAssistant(button.title, button.payload),
        }))) : null,
      ])) : [el("div", { className: "answer", text: "助理没有回答，请换个说法。" })]));
    } catch (error) {
      waiting.textContent = failure(error, "助理暂时无法回答，请稍后再试。");
      waiting.classList.add("notice", "error");
    }
    box.scrollTop = box.scrollHeight;
  }

  // ---------------------------------------------------------------- live events
  function onStreamEvent(name, data) {
    if (name === "queue") {
      scheduleQueueLoad();
      if (data && data.id && data.id === state.selectedId) openHandoff(data.id, true);
      if (data && (data.status === "closed" || data.status === "handed_back")) loadRecentCsat();
    } else if (name === "message") {
      const handoffId = data && data.handoff_id;
      if (handoffId && handoffId === state.selectedId) addLive(data.message || data);
    } else if (name === "csat") {
      loadRecentCsat();
      if (data && data.handoff_id === state.selectedId) renderCsat(data);
    }
  }

  // ---------------------------------------------------------------- wiring
  function boot() {
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", () => endSession(""));
    $("reply-box").addEventListener("submit", reply);
    $("reply-input").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing) reply(event);
    });
    $("take").addEventListener("click", take);
    $("hand-back").addEventListener("click", () => end("/hand-back", "已交还智能助理，客户会收到提示。"));
    $("close").addEventListener("click", () => end("/close", "服务已结束，客户会收到满意度评价邀请。"));
    $("suitability-form").addEventListener("submit", checkSuitability);
    $("assistant-form").addEventListener("submit", askAssistant);
    setInterval(tick, 1000);

    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) return;
    api(token, "GET", "/api/me")
      .then((me) => (me.role in ROLE_NAMES ? startSession(token, me) : endSession("")))
      .catch(() => endSession(""));
  }

  boot();
})();
