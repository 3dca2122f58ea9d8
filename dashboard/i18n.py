"""Every UI string of the dashboard in Chinese and English, and display names for tag ids.

`t(key, lang)` looks a string up; unknown keys raise (a typo must fail the tests, not show a key).
Display names fall back to the id itself for ids this table does not know (a new model in
models.toml still shows, just unnamed).
"""
from __future__ import annotations

from ingest.tag import reasons

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# key -> (zh, en). Placeholders use str.format names.
_STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("AI 视频模型舆情监测", "AI video-model watch"),
    "ui_lang": ("界面语言", "Interface language"),
    # pages
    "page_overview": ("总览", "Overview"),
    "page_models": ("模型", "Models"),
    "page_themes": ("议题", "Themes"),
    "page_gap": ("中英差异", "zh / en gap"),
    "page_keywords": ("关键词", "Keywords"),
    "page_explorer": ("检索", "Explorer"),
    "page_sources": ("信源", "Sources"),
    # sidebar filters
    "filters": ("筛选", "Filters"),
    "date_range": ("日期范围", "Date range"),
    "language": ("语言", "Language"),
    "source": ("信源", "Source"),
    "category": ("类型", "News / social"),
    "col_category": ("类型", "news / social"),   # the same as a table header (lower case, as the others)
    "model": ("模型", "Model"),
    "theme": ("议题", "Theme"),
    "sentiment": ("情感", "Sentiment"),
    "include_spam": ("包含垃圾内容", "Include spam"),
    "timezone": ("时区", "Time zone"),
    "interval": ("时间粒度", "Interval"),
    "search": ("搜索（标题或正文，空格分隔多个词）", "Search (title or text; space-separated terms)"),
    "search_help": ("空格分隔的词须全部出现（中英文、简繁体、大小写均可）；英文词按整词匹配（wan 不匹配 want），"
                    "词尾加 * 匹配词头（model* 含 models），中文词任意位置匹配；\"短语\" 整体匹配，词间换行或多个空格均可；"
                    "中文与字母、字母与数字之间有无空格均可（可灵AI = 可灵 AI，Sora2 = Sora 2）；"
                    "两词之间写 OR 表示任一即可；括号分组；词或括号前加 - 表示排除。"
                    "例：(可灵 OR sora) 翻车 -游戏",
                    "Every space-separated term must occur (any case; Simplified or Traditional); "
                    "an English term as a whole word (wan is not want; model* also finds models), "
                    "a Chinese term anywhere; "
                    "\"a phrase\" must occur whole, with any white space between its words; a space beside "
                    "Chinese or between a letter and a digit may be there or not (可灵AI = 可灵 AI, "
                    "Sora2 = Sora 2); OR between two terms: either will do; "
                    "brackets group; -term or -( ... ) excludes. E.g. (kling OR sora) glitch -game"),
    "reset": ("重置筛选", "Reset filters"),
    "all": ("全部", "all"),
    "bad_param": ("网址参数 {name}={value!r} 无效，已忽略：{why}",
                  "URL parameter {name}={value!r} ignored: {why}"),
    # a value that was used, only moved ("ignored" said of it was wrong)
    "moved_param": ("网址参数 {name}={value!r}：{why}", "URL parameter {name}={value!r} used: {why}"),
    "why_unknown_value": ("未知的取值", "unknown value"),
    "why_unknown_param": ("不是本页的参数", "not a parameter of this page"),
    "why_unknown_param_near": ("不是本页的参数（{near}=？）", "not a parameter of this page ({near}=?)"),
    "why_not_a_date": ("不是 YYYY-MM-DD 格式的日期", "not a date YYYY-MM-DD"),
    "why_day_range": ("超出范围（1900–2999 年）", "out of range (years 1900-2999)"),
    "why_unknown_tz": ("未知的时区", "unknown time zone"),
    "why_ui": ("请用 zh 或 en", "use zh or en"),
    "why_spam": ("请用 1 或 0", "use 1 or 0"),
    "why_every": ("请用 day、week 或 month", "use day, week or month"),
    "why_sov": ("请用 share 或 count", "use share or count"),
    "why_sort": ("请用 new、reach 或 engaged", "use new, reach or engaged"),
    "sort_by": ("排序", "Order"),
    "sort_new": ("最新", "newest"),
    "sort_reach": ("传播最广（转载媒体数）", "carried most widely (outlets)"),
    "sort_engaged": ("互动最多（得分 + 点赞 + 转发）", "most engaged (points + likes + reposts)"),
    "why_not_an_id": ("不是报道编号（整数）", "not a story id (a whole number)"),
    "why_before_from": ("早于 from，已与 from 对调", "before from; the two were swapped"),
    "share_link": ("当前视图的网址可直接收藏或分享。", "This view's URL can be bookmarked and shared."),
    # intervals
    "every_day": ("日", "day"),
    "every_week": ("周", "week"),
    "every_month": ("月", "month"),
    "every_alert": ("预警：{spike}", "alert: {spike}"),      # the delivery log's spike alerts
    "alert_level": ("（第 {level} 级）", ", level {level}"),   # a follow-up's, short: the column's help says more
    "col_period_help": ("日报、周报，或预警（其激增的模型或议题）；“第 n 级”为后续预警：激增仍在攀升，达首次预警条数的 2ⁿ 倍以上",
                        "day, week, or an alert (its spike's model or theme); \"level n\": a follow-up alert, the spike "
                        "still rising to 2ⁿ times the first alert's count or more"),
    "partial": ("不完整", "partial"),
    "partial_note": ("阴影处的{period}不完整（{spans}）：所选范围只含其中部分日期，或该{period}尚未结束，"
                     "其数值所依据的天数少于完整的{period}，不能直接相比。",
                     "Shaded {period}: partial ({spans}): the range holds only part of it, or it is "
                     "not over yet, so its figure rests on fewer days than a whole {period}'s."),
    "partial_open": ("尚未结束，截至 {at}", "not over: until {at}"),
    "partial_span": ("{first} 起的{period}仅含 {days}", "the {period} of {first} holds only {days}"),
    # errors and onboarding
    "db_error": ("无法连接数据库：{reason}", "Cannot reach the database: {reason}"),
    "db_error_hint": ("请检查 AIGCWATCH_DATABASE_URL，或运行 `aigcwatch init`。",
                      "Check AIGCWATCH_DATABASE_URL, or run `aigcwatch init`."),
    "empty_title": ("数据库里还没有内容", "The database holds no stories yet"),
    "empty_body": (
        "先采集一些数据：\n\n"
        "- 离线演示（内置示例源，几秒钟）：`aigcwatch demo`\n"
        "- 采集真实信源：`aigcwatch init` 然后 `aigcwatch ingest`\n\n"
        "完成后刷新本页。当前数据库：`{url}`",
        "Collect some stories first:\n\n"
        "- the offline demo (bundled sample feeds, a few seconds): `aigcwatch demo`\n"
        "- real sources: `aigcwatch init`, then `aigcwatch ingest`\n\n"
        "Then reload this page. Database in use: `{url}`"),
    "no_match": ("当前筛选条件下没有内容。", "Nothing matches the current filters."),
    # common words
    "stories": ("报道数", "stories"),
    "share": ("占比", "share"),
    "share_7d": ("占比（近 7 日滚动）", "share (7-day rolling)"),
    "sov_7d": ("声量份额（近 7 日滚动）", "share of voice (7-day rolling)"),
    "count": ("数量", "count"),
    "net_sentiment": ("净情感指数", "net sentiment"),
    "net_7d": ("净情感（近 7 日滚动）", "net sentiment (7-day rolling)"),
    "few_stories": ("少于 {n} 篇报道（空心点）", "fewer than {n} stories (open circles)"),
    "few_stories_hover": ("少于 {n} 篇", "under {n} stories"),
    "hover_stories": ("%{y}：%{x:,} 篇", "%{y}: %{x:,} stories"),    # a plotly hovertemplate
    "few_stories_note": ("空心淡色点：该点的{window}内报道少于 {n} 篇，一两篇报道就能把指数推到 ±1，"
                         "故不与折线相连；CSV 的 few_stories 列标出这些点。",
                         "Open faint circles: fewer than {n} stories in the point's {window}, where a "
                         "story or two swing the index to ±1, so they are not joined to the line; the "
                         "CSV flags them in its few_stories column."),
    "window_7d": ("近 7 日窗口", "7-day window"),
    "vs_previous": ("较上一周期", "vs previous period"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "open_explorer": ("在检索页打开", "Open in Explorer"),
    "drill": ("查看相关报道", "Stories behind this chart"),
    "drill_period": ("时间段", "Period"),
    "drill_series": ("系列", "Series"),
    "drill_none": ("（全部）", "(all)"),
    "pick_none": ("（未选择）", "(none)"),     # a box that opens one thing: nothing open yet
    "evidence": ("证据短语", "Evidence phrases"),
    "no_link": ("原文链接不可用（非 http/https）：", "No link (not http/https): "),
    "original": ("原文", "original"),
    "copies": ("转载副本", "Syndicated copies"),
    "selected_points": ("图上选中的报道", "Stories for the selected points"),
    # overview
    "kpi_stories": ("报道数", "Stories"),
    "kpi_zh_share": ("中文占比", "Chinese share"),
    "kpi_en_share": ("英文占比", "English share"),
    "kpi_net": ("净情感", "Net sentiment"),
    "kpi_rising_theme": ("上升最快议题", "Top rising theme"),
    "kpi_rising_model": ("上升最快模型", "Top rising model"),
    "kpi_period": ("{since} 至 {until}，对比 {psince} 至 {puntil}",
                   "{since} to {until}, against {psince} to {puntil}"),
    "kpi_period_partial": ("{since} 至 {until}（尚未结束），对比上一周期的同一时段：{psince} 至 {puntil}",
                           "{since} to {until} (not over yet), against the same stretch of the "
                           "previous period: {psince} to {puntil}"),
    "volume_by_lang": ("各语言报道量", "Volume by language"),
    "kw_one_scale": ("中英两栏共用同一 z 轴刻度，条长可直接比较。", "Both columns share one z scale: bar lengths compare directly."),
    "net_over_time": ("净情感指数走势（(正面-负面)/报道数）",
                      "Net-sentiment index ((positive - negative) / stories)"),
    "spikes": ("异常峰值", "Spike alerts"),
    "spikes_help": (
        "某模型或议题当天报道量相对其自身过去 {window} 天的稳健基线（中位数与 MAD）异常偏高，得分 ≥ {threshold}。",
        "A model's or theme's daily volume far above its own trailing {window}-day robust baseline "
        "(median and MAD), score >= {threshold}."),
    "undated": ("{time}（源未给日期：抓取时间）", "{time} (no date in the feed: fetch time)"),
    "no_spikes": ("当前范围内没有异常峰值。", "No spikes in this range."),
    "spikes_more": ("下面展开得分最高的 {shown} 个，共 {n} 个异常峰值：全部见上方 CSV，或缩小日期范围。",
                    "The {shown} highest-scoring of {n} spikes are expanded below: the CSV above lists all "
                    "of them, or narrow the date range."),
    "spike_line": ("{day} · {name} · {count} 篇（基线 {baseline:.1f}，得分 {score:.1f}）· 中文 {zh} / 英文 {en}",
                   "{day} · {name} · {count} stories (baseline {baseline:.1f}, score {score:.1f}) · zh {zh} / en {en}"),
    "spike_so_far": ("当天未结束：截至 {at}，对比此前各天同一时段", "day not over: until {at}, against the same hours of the days before"),
    "so_far_until": ("当天未结束，截至 {at}", "so far, until {at}"),
    # models
    "sov": ("声量份额", "Share of voice"),
    "sov_mode": ("显示", "Show"),
    "mode_share": ("占比 %", "share %"),
    "mode_count": ("数量", "count"),
    "sent_by_model": ("各模型情感分布", "Sentiment by model"),
    "lang_by_model": ("各模型中英文报道量", "Chinese vs English stories per model"),
    "net_top": ("只画出本视图报道最多的 {n} 个模型；另有 {rest} 个，可在“模型”筛选中选择。",
                "Only the view's {n} most covered models are drawn; {rest} more can be picked in the Model filter."),
    # themes
    "theme_share": ("议题占比走势（含该议题的报道 / 全部报道）",
                    "Theme share over time (stories with the theme / all stories)"),
    "theme_sent": ("议题 × 情感", "Theme x sentiment"),
    "theme_model": ("议题 × 模型热力图", "Theme x model heat map"),
    "theme_evidence": ("各议题的高频证据短语", "Top evidence phrases per theme"),
    "phrase": ("短语", "phrase"),
    "sampled": ("估算：视图内共 {n} 篇报道，每 {k} 篇读取 1 篇，计数已乘以 {k}。",
                "Estimated: one in {k} of the view's {n} stories was read, and its counts multiplied by {k}."),
    "stories_est": ("报道数（估算）", "stories (estimated)"),
    # gap
    "gap_intro": ("每个议题、模型在其本语言报道中的占比，中英文并列、同一刻度。",
                  "Each theme's and model's share of its own language's coverage, Chinese beside English on one scale."),
    "gap_theme": ("议题：中文 vs 英文（占本语言报道 %）", "Themes: zh vs en (% of own-language stories)"),
    "gap_model": ("模型：中文 vs 英文（占本语言报道 %）", "Models: zh vs en (% of own-language stories)"),
    "js_theme": ("议题分布 JS 散度", "Theme JS divergence"),
    "js_model": ("模型分布 JS 散度", "Model JS divergence"),
    "gap_one_language": ("当前视图中没有{missing}报道：两种语言无从比较。",
                         "No {missing} stories in this view: there is nothing to compare with."),
    "js_help": ("Jensen-Shannon 散度（比特，0 = 分布相同，1 = 完全不同）",
                "Jensen-Shannon divergence (bits; 0 = same distribution, 1 = disjoint)"),
    "divergence": ("中文占比 - 英文占比（百分点）", "zh share - en share (pct points)"),
    "tone_by_lang": ("各语言情感走势", "Tone per language"),
    "tone_theme_lang": ("各议题在中英文中的净情感", "Net sentiment per theme, zh vs en"),
    "lead_lag": ("峰值中哪种语言先反应", "Which language reacted first, per spike"),
    "lead_summary": ("{n} 个峰值中：中文先 {zh} 个，英文先 {en} 个，同时 {same} 个，只有一种语言升温 {one} 个（不在图中）。",
                     "Of {n} spikes: Chinese first in {zh}, English first in {en}, same day in {same}, "
                     "one language only in {one} (not drawn)."),
    "leader": ("先反应", "leader"),
    "lag_days": ("滞后天数", "lag (days)"),
    "col_spike_key": ("模型或议题", "model or theme"),
    "onset_zh": ("中文起始日", "zh onset"),
    "onset_en": ("英文起始日", "en onset"),
    "same_day": ("同日", "same day"),
    # keywords
    "rising_terms": ("上升关键词（对比上一周期，加权对数几率 z 值）",
                     "Rising terms vs the previous period (weighted log-odds z)"),
    "rising_zh": ("中文", "Chinese"),
    "rising_en": ("英文", "English"),
    "term": ("词", "term"),
    "current": ("本期", "current"),
    "previous": ("上期", "previous"),
    "current_est": ("本期（估算）", "current (estimated)"),
    "previous_est": ("上期（估算）", "previous (estimated)"),
    "z_est": ("z（估算）", "z (estimated)"),
    "terms_sampled": ("估算：两期报道均每 {k} 篇读取 1 篇（本期该语言共 {n} 篇），计数已乘以 {k}，z 值为全量的估计。",
                      "Estimated: one in {k} stories of both periods was read (this period's {n} in this language), "
                      "its counts multiplied by {k}; the z-scores estimate the full ones."),
    "no_terms": ("没有显著上升的词。", "No term rises significantly."),
    "no_match_either": ("两个周期都没有符合当前筛选和搜索的报道：可放宽筛选或修改搜索词。",
                        "Nothing matches the current filters in either period: widen a filter or change the search."),
    "no_previous": ("上一周期没有报道可供对比：请选择更晚的日期范围。",
                    "The previous period holds no stories to compare against: pick a later date range."),
    "pick_term": ("查看含该词的报道", "Stories with the term"),
    # explorer
    "search_box": ("搜索中英文（如：可灵 OR sora 翻车 -游戏）", "Search Chinese or English (e.g. kling OR sora lawsuit -game)"),
    "matching_over_time": ("匹配报道走势", "Matching stories over time"),
    "results": ("共 {n} 篇匹配报道", "{n} matching stories"),
    "marks_legend": ("黄色标记：标注依据；蓝色标记：搜索词", "Marked yellow: the tagger's evidence; blue: your search terms"),
    "until_note": ("（截至 {at}）", " (until {at})"),
    "keyword_results": ("共 {n} 篇报道以「{term}」为关键词（即表中计数的报道）",
                        "{n} stories keyed with “{term}” (the stories the table counts)"),
    "keyword_only": ("只列出以「{term}」为关键词的报道（关键词页计数的报道，不是全文检索）",
                     "Only stories keyed with “{term}” (what the Keywords page counts; not a text search)"),
    "keyword_drop": ("显示全部报道", "Show every story of the view"),
    "page_no": ("页码", "Page"),
    "download_stories": ("下载 CSV：全部 {n} 篇报道", "Download CSV: all {n} stories"),
    "download_stories_cut": ("下载 CSV：按当前排序的前 {n} 篇（共 {total} 篇；全部请用 aigcwatch export items）",
                             "Download CSV: the first {n} of {total} stories in this order (all of them: "
                             "aigcwatch export items)"),
    "no_matches": ("没有符合当前筛选和搜索的报道：可放宽日期范围、去掉某个筛选或修改搜索词。",
                   "No story matches these filters and search: widen the date range, drop a filter or "
                   "change the search."),
    "open_item": ("打开报道", "Open a story"),
    "item_view": ("报道详情", "Story"),
    "col_time": ("时间", "time"),
    "col_title": ("标题", "title"),
    "col_source": ("信源", "source"),
    "col_lang": ("语言", "lang"),
    "col_sentiment": ("情感", "sentiment"),
    "col_models": ("模型", "models"),
    "col_themes": ("议题", "themes"),
    "col_copies": ("副本", "copies"),
    "col_link": ("链接", "link"),
    "keywords": ("关键词", "keywords"),
    "reason": ("判定依据", "reason"),
    "seen_at": ("发现时间", "seen at"),
    "item_missing": ("找不到编号为 {id} 的报道。", "No story with id {id}."),
    "why_relevant": ("与 AI 视频相关", "About AI video"),
    "why_irrelevant": ("与 AI 视频无关", "Not about AI video"),
    # the score is the lexicon walk's; the label may come from the learned layer, which can disagree
    "why_sentiment": ("情感：{label}（词典得分 {score}）", "Tone: {label} (lexicon score {score})"),
    "why_spam_tag": ("垃圾内容", "Spam"),
    "tagger_reasons": ("标注器的理由（非原文）", "the tagger's reasons, not quotes"),
    "evidence_unrecorded": ("（未记录：在本功能之前打标，运行 aigcwatch retag 补全）",
                            "(not recorded: tagged before this evidence was stored; aigcwatch retag fills it)"),
    # sources
    "health": ("信源健康状况", "Source health"),
    "col_health": ("健康", "health"),
    "health_paused": ("已停用", "paused"), "health_failing": ("失败", "failing"),
    "health_warning": ("警告", "warning"), "health_ok": ("正常", "ok"), "health_never_ok": ("从未成功", "never ok"),
    "last_ok": ("最近成功", "last success"),
    "last_error": ("最近错误类型", "last error class"),
    "items_per_day": ("日均条数", "items/day"),
    "not_modified": ("未更新率 (304)", "not-modified rate"),
    "failure_rate": ("失败率", "failure rate"),
    "not_modified_short": ("未更新率", "not modified"),   # the health table's narrow headers
    "failure_rate_short": ("失败率", "failures"),
    "items_in_range": ("范围内条数", "items in range"),
    "last_status": ("最近状态", "last status"),
    "col_last_error_text": ("最近错误", "last error"),
    "col_runs": ("批次数", "runs"),
    "runs": ("最近采集批次", "Recent ingest runs"),
    "health_filters": ("列出全部信源；侧栏筛选只影响日均条数（及 CSV 中的范围内条数）。",
                       "Every source is listed: the sidebar filters narrow only items/day (and the CSV's items in "
                       "range)."),
    "runs_unfiltered": ("采集批次涵盖全部信源，不受侧栏筛选影响。", "Runs cover every source: the sidebar filters do "
                        "not apply."),
    "items_by_source": ("各信源每{period}报道量", "Stories per source per {period}"),
    "no_runs": ("还没有采集记录。", "No ingest runs yet."),
    "deliveries": ("推送记录：日报与预警", "Deliveries: digests and spike alerts"),
    "no_deliveries": ("还没有发送过日报或预警（`aigcwatch digest`、`aigcwatch alerts` 或 `aigcwatch schedule` "
                      "发送后记录在此）。",
                      "Nothing sent yet (`aigcwatch digest`, `aigcwatch alerts` or `aigcwatch schedule` log each "
                      "delivery here)."),
    "deliveries_unfiltered": ("推送记录不受侧栏筛选影响：列出全部推送，每条的范围见“范围”列。",
                              "The delivery log ignores the sidebar filters: it lists every delivery, each "
                              "with its own focus (the focus column)."),
    "col_digest_date": ("日期", "date"),
    "col_period": ("周期", "period"),
    "col_focus": ("范围", "focus"),
    "focus_all": ("全部", "all coverage"),
    "col_channel": ("渠道", "channel"),
    "col_recipient": ("收件人", "recipient"),
    "col_status": ("状态", "status"),
    "col_attempts": ("尝试次数", "attempts"),
    "col_last_attempt": ("最近尝试", "last attempt"),
    "col_sent_at": ("发送时间", "sent at"),
    "col_error": ("错误", "error"),
}

_MODELS: dict[str, tuple[str, str]] = {
    "sora": ("Sora", "Sora"), "runway": ("Runway", "Runway"), "pika": ("Pika", "Pika"),
    "kling": ("可灵 Kling", "Kling"), "veo": ("Veo", "Veo"), "vidu": ("Vidu", "Vidu"),
    "hailuo": ("海螺 Hailuo", "Hailuo"), "luma": ("Luma", "Luma"),
    "jimeng": ("即梦 / Seedance", "Jimeng / Seedance"), "pixverse": ("PixVerse", "PixVerse"),
    "stable_video": ("Stable Video", "Stable Video"), "movie_gen": ("Movie Gen", "Movie Gen"),
    "wan": ("通义万相 Wan", "Wan"), "hunyuan_video": ("混元视频", "HunyuanVideo"),
    "cogvideo": ("清影 CogVideo", "CogVideo"), "lumiere": ("Lumiere", "Lumiere"),
    "emu_video": ("Emu Video", "Emu Video"), "haiper": ("Haiper", "Haiper"),
    "mochi": ("Mochi", "Mochi"), "ltx_video": ("LTX Video", "LTX Video"),
    "midjourney_video": ("Midjourney 视频", "Midjourney Video"), "other": ("其他模型", "Other models"),
}

_THEMES: dict[str, tuple[str, str]] = {
    "jobs": ("就业冲击", "Jobs"),
    "creative_industry": ("影视与创作", "Creative industry"),
    "agi_world_model": ("世界模型 / AGI", "World model / AGI"),
    "flaws": ("翻车与缺陷", "Flaws"),
    "tech": ("技术细节", "Technology"),
    "markets": ("资本市场", "Markets"),
    "competition": ("竞争", "Competition"),
    "copyright": ("版权", "Copyright"),
    "misinformation": ("深度伪造与虚假信息", "Deepfakes / misinformation"),
    "regulation": ("监管", "Regulation"),
    "launch_access": ("发布与开放", "Launch / access"),
    "compute": ("算力", "Compute"),
}

_SENTIMENTS = {"positive": ("正面", "positive"), "neutral": ("中性", "neutral"),
               "negative": ("负面", "negative")}
_DOC_LANGS = {"all": ("全部", "all"), "zh": ("中文", "Chinese"), "en": ("英文", "English"), "und": ("未识别", "undetermined"),
              "other": ("其他", "other")}
_CATEGORIES = {"news": ("新闻", "news"), "social": ("社交", "social")}
_DIMS = {"model": ("模型", "model"), "theme": ("议题", "theme"), "lang": ("语言", "language"),
         "sentiment": ("情感", "sentiment"), "source": ("信源", "source"),
         "category": ("类型", "category")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def t(key: str, lang: str, /, **values) -> str:
    """The UI string `key` in `lang` ("zh" or "en"), formatted with `values`."""
    text = _pick(_STRINGS[key], lang)
    return text.format(**values) if values else text


def _named(table: dict[str, tuple[str, str]], key: str | None, lang: str) -> str:
    if key is None:
        return "—"
    pair = table.get(key)
    return _pick(pair, lang) if pair else str(key)


def model_name(model_id: str | None, lang: str) -> str:
    return _named(_MODELS, model_id, lang)


def theme_name(theme_id: str | None, lang: str) -> str:
    return _named(_THEMES, theme_id, lang)


_COPY_REASONS = {"url": ("链接相同", "same link"), "guid": ("GUID 相同", "same GUID"),
                 "content": ("正文相同", "same text"), "title": ("标题与正文相同", "same title and text"),
                 "near-duplicate": ("改写转载", "edited republication")}


# an ingest run's table (db.queries.latest_runs) and the statuses of runs and fetches
_RUN_COLUMNS = {"id": ("批次", "run"), "started_at": ("开始", "started"), "finished_at": ("结束", "finished"),
                "status": ("状态", "status"), "tagger_version": ("标注器版本", "tagger version"),
                "sources": ("信源数", "sources"), "fetched": ("抓取", "fetched"), "new": ("新增", "new"),
                "updated": ("更新", "updated"), "duplicate": ("重复", "duplicate"),
                "irrelevant": ("无关", "irrelevant"), "spam": ("垃圾", "spam"), "invalid": ("无效", "invalid"),
                "failed": ("失败", "failed")}
_STATUSES = {"ok": ("成功", "ok"), "partial": ("部分完成", "partial"), "failed": ("失败", "failed"),
             "not_modified": ("未更新 (304)", "not modified"), "running": ("进行中", "running"),
             "interrupted": ("中断", "interrupted"), "sent": ("已发送", "sent"),
             "skipped": ("跳过（退避中）", "skipped (backing off)")}


# why a source last failed, or the warning it last gave (sources.last_error_class: an
# ingest.types.FailureClass value); the code stays beside the name, as the logs and the CLI say it
_ERROR_CLASSES = {"network": ("网络错误", "network error"), "http_status": ("HTTP 错误", "HTTP error"),
                  "blocked": ("被拦截", "blocked"), "rate_limited": ("被限流", "rate limited"),
                  "too_large": ("内容过大", "too large"), "decode": ("无法解码", "cannot decode"),
                  "parse": ("无法解析", "cannot parse"), "empty": ("没有条目", "no entries"),
                  "stale": ("长期无新内容", "no new items lately"), "extract": ("未提取到正文", "no main text")}


def error_class_name(value: str | None, lang: str) -> str:
    """A failure class in the interface language with its code, e.g. "被拦截 (blocked)"; an
    unknown one as stored; none: ""."""
    if not value:
        return ""
    pair = _ERROR_CLASSES.get(value)
    if pair is None:
        return value
    name = _pick(pair, lang)
    return name if name == value else f"{name} ({value})"


def run_column_name(column: str, lang: str) -> str:
    return _named(_RUN_COLUMNS, column, lang)


def status_name(value: str | None, lang: str) -> str:
    """A run's or a fetch's status (ok, partial, failed, not_modified); an unknown one as stored."""
    return _named(_STATUSES, value, lang)


def search_reading(node, lang: str) -> str:
    """How a search was read (a db.search_syntax expression), when its syntax mattered: an OR, a
    phrase, brackets or an exclusion ("" for plain words, which need no gloss):
    "检索式：（“sora” 或 “可灵”）且 “翻车”；排除 “游戏”" / "Read as: (“sora” or “可灵”) and “翻车”;
    excluding “游戏”"."""
    from db import search_syntax as syn

    if syn.plain(node):
        return ""
    zh = lang == "zh"
    words = {"and": " 且 " if zh else " and ", "or": " 或 " if zh else " or ",
             "not": "非 " if zh else "not ", "open": "（" if zh else "(", "close": "）" if zh else ")"}

    def say(n, inside: bool) -> str:
        if isinstance(n, syn.Term):
            return f"“{n.text}”"
        if isinstance(n, syn.Not):
            return words["not"] + say(n.part, True)
        text = words["and" if isinstance(n, syn.All) else "or"].join(say(p, True) for p in n.parts)
        return f"{words['open']}{text}{words['close']}" if inside else text

    parts = node.parts if isinstance(node, syn.All) else (node,)
    want = [say(p, len(parts) > 1) for p in parts if not isinstance(p, syn.Not)]
    drop = [say(p.part, True) for p in parts if isinstance(p, syn.Not)]
    text = words["and"].join(want) or ("全部报道" if zh else "every story")
    if drop:
        text += ("；排除 " + "、".join(drop)) if zh else ("; excluding " + ", ".join(drop))
    return ("检索式：" if zh else "Read as: ") + text


def reason_name(entry: str, lang: str) -> str:
    """One of the tagger's reasons in the interface language (ingest.tag.reasons holds their
    wordings; an entry that is no reason stays as it is)."""
    return reasons.wording(entry, lang)


def copy_reason_name(value: str | None, lang: str) -> str:
    """Why an item is a copy of a story (item_copies.reason, or a near-duplicate cluster member)."""
    return _named(_COPY_REASONS, value, lang)


def sentiment_name(value: str | None, lang: str) -> str:
    return _named(_SENTIMENTS, value, lang)


def lang_name(value: str | None, lang: str) -> str:
    return _named(_DOC_LANGS, value, lang)


# db.stats.lead: how the two languages met a spike, worded as the digest words it
_LEADS = {"same_day": ("同日", "same day"), "zh_first": ("中文先起", "Chinese first"),
          "en_first": ("英文先起", "English first"), "zh_only": ("仅中文", "only Chinese"),
          "en_only": ("仅英文", "only English"), "zh_only_rose": ("仅中文升温", "only Chinese rose"),
          "en_only_rose": ("仅英文升温", "only English rose")}


def lead_name(value: str | None, lang: str) -> str:
    """A spike's `lead` (db.stats.LEADS) in the reader's language; "—" when neither rose."""
    return _named(_LEADS, value, lang) if value else "—"


def category_name(value: str | None, lang: str) -> str:
    return _named(_CATEGORIES, value, lang)


def dim_name(dim: str, lang: str) -> str:
    return _named(_DIMS, dim, lang)


def key_name(dim: str, key: str | None, lang: str, sources: dict[str, str] | None = None) -> str:
    """Display name of `key` in dimension `dim` (model, theme, lang, sentiment, category, source)."""
    if dim == "model":
        return model_name(key, lang)
    if dim == "theme":
        return theme_name(key, lang)
    if dim == "lang":
        return lang_name(key, lang)
    if dim == "sentiment":
        return sentiment_name(key, lang)
    if dim == "category":
        return category_name(key, lang)
    if dim == "source" and sources:
        return sources.get(key or "", str(key))
    return "—" if key is None else str(key)


def known_models() -> tuple[str, ...]:
    return tuple(_MODELS)


def known_themes() -> tuple[str, ...]:
    return tuple(_THEMES)
