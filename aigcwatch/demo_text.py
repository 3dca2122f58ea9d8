"""Invented text pools for the demo corpus (see demo_data.py): model names by date, theme and tone
weights, bilingual sentence templates, distractors, spam titles, authors. All of it is our own
writing; nothing here is real news."""
from __future__ import annotations

from datetime import date

# Placeholders: {m} model name as of the entry's day, {co} company, {sec} {res} {fps} {params}
# {params_b} {val} {rev} {price_cny} {price_usd} {api} {vram} {pct}.

def _since(m: int, d: int) -> date:
    return date(2025, m, d)


_MODELS: dict[str, dict] = {
    "sora": {"names": ((date.min, "Sora", "Sora"), (_since(9, 30), "Sora 2", "Sora 2")),
             "co_en": "OpenAI", "co_zh": "OpenAI"},
    "veo": {"names": ((date.min, "Veo 2", "Veo 2"), (_since(5, 20), "Veo 3", "谷歌Veo 3")),
            "co_en": "Google", "co_zh": "谷歌"},
    "kling": {"names": ((date.min, "Kling 2.0", "可灵2.0"), (_since(6, 3), "Kling 2.1", "可灵2.1")),
              "co_en": "Kuaishou", "co_zh": "快手"},
    "runway": {"names": ((date.min, "Runway Gen-4", "Runway Gen-4"),
                         (_since(7, 24), "Runway Aleph", "Runway Aleph")),
               "co_en": "Runway", "co_zh": "Runway"},
    "pika": {"names": ((date.min, "Pika 2.2", "Pika 2.2"),), "co_en": "Pika Labs", "co_zh": "Pika"},
    "luma": {"names": ((date.min, "Luma Ray2", "Luma Ray2"),), "co_en": "Luma AI", "co_zh": "Luma AI"},
    "hailuo": {"names": ((date.min, "Hailuo video-01", "海螺AI"), (_since(6, 18), "Hailuo 02", "海螺02")),
               "co_en": "MiniMax", "co_zh": "MiniMax"},
    "jimeng": {"names": ((date.min, "Dreamina", "即梦AI"), (_since(8, 12), "Seedance 1.0", "即梦Seedance 1.0")),
               "co_en": "ByteDance", "co_zh": "字节跳动"},
    "vidu": {"names": ((date.min, "Vidu Q1", "Vidu Q1"),), "co_en": "Shengshu", "co_zh": "生数科技"},
    "wan": {"names": ((date.min, "Wan 2.1", "通义万相2.1"), (_since(7, 28), "Wan 2.2", "通义万相Wan2.2")),
            "co_en": "Alibaba", "co_zh": "阿里"},
}

_RIVALS = ("sora", "veo", "kling", "runway", "hailuo", "jimeng")

_MODEL_WEIGHTS = {
    "zh": {"kling": 20, "jimeng": 17, "hailuo": 13, "sora": 12, "veo": 8, "vidu": 8, "wan": 10,
           "runway": 5, "pika": 2, "luma": 3},
    "en": {"sora": 25, "veo": 22, "runway": 15, "kling": 10, "pika": 6, "luma": 8, "hailuo": 5,
           "jimeng": 4, "wan": 4, "vidu": 1},
}

_THEME_WEIGHTS = {
    ("zh", "news"): {"tech": 16, "launch_access": 16, "markets": 14, "competition": 14,
                     "creative_industry": 12, "regulation": 6, "copyright": 4, "misinformation": 5,
                     "flaws": 4, "jobs": 3, "agi_world_model": 3, "compute": 3},
    ("zh", "social"): {"launch_access": 14, "flaws": 18, "creative_industry": 15, "competition": 12,
                       "tech": 6, "jobs": 8, "misinformation": 8, "agi_world_model": 5, "markets": 6,
                       "copyright": 3, "regulation": 3, "compute": 4},
    ("en", "news"): {"launch_access": 15, "tech": 12, "copyright": 10, "misinformation": 10,
                     "competition": 10, "creative_industry": 10, "markets": 8, "regulation": 7,
                     "jobs": 6, "compute": 5, "agi_world_model": 4, "flaws": 3},
    ("en", "social"): {"flaws": 15, "jobs": 15, "creative_industry": 10, "agi_world_model": 10,
                       "launch_access": 10, "misinformation": 10, "compute": 7, "copyright": 8,
                       "tech": 7, "competition": 5, "markets": 3, "regulation": 3},
}

_EVENT_THEMES = {
    "news": {"launch_access": 35, "tech": 25, "competition": 20, "markets": 10, "creative_industry": 5,
             "compute": 5},
    "social": {"launch_access": 30, "flaws": 25, "competition": 20, "tech": 10, "creative_industry": 10,
               "agi_world_model": 5},
}

_TONE_WEIGHTS = {
    ("zh", "news"): {"positive": 3, "neutral": 6, "negative": 2},
    ("zh", "social"): {"positive": 5, "neutral": 2, "negative": 4},
    ("en", "news"): {"positive": 2, "neutral": 6, "negative": 3},
    ("en", "social"): {"positive": 3, "neutral": 2, "negative": 6},
}

# how a theme pulls the tone: (positive, neutral, negative) multipliers
_THEME_TONE = {
    "jobs": (0.2, 1, 3), "flaws": (0.3, 1, 3), "misinformation": (0.1, 1, 3), "copyright": (0.3, 1, 2),
    "regulation": (0.5, 2, 1), "launch_access": (2, 1, 0.6), "tech": (2, 1.5, 0.5),
    "competition": (1.5, 1, 0.7), "markets": (1.2, 1.5, 0.8), "creative_industry": (1.2, 1, 1),
    "agi_world_model": (1, 1, 1), "compute": (0.5, 1, 1.5),
}

_SENTENCES: dict[tuple[str, str], dict[str, list[str]]] = {
    ("zh", "news"): {
        "jobs": [
            "有从业者担心，{m}这类工具普及后，初级剪辑师和分镜师的岗位会首先受到冲击。",
            "一家广告公司负责人透露，今年团队已把外包拍摄预算削减了{pct}%，部分拍摄岗位被AI视频流程替代。",
            "多位自由职业动画师表示，客户开始拿AI生成的样片压价，报价普遍被砍掉一半。",
            "也有人认为，新工具会催生“AI视频导演”等新岗位，但数量远不足以弥补流失。",
            "招聘平台数据显示，要求会用AI视频工具的岗位在过去三个月明显增多，而传统后期岗位在减少。",
        ],
        "creative_industry": [
            "多家短剧公司已经开始用{m}批量生成空镜和转场画面，单集制作周期从一周缩短到两天。",
            "某影视公司表示，正在用{m}制作一部全AI生成的微短剧，预计下月上线。",
            "广告行业是最早吃螃蟹的，不少品牌的新品宣传片已经由{m}生成初稿。",
            "独立动画创作者认为，AI视频降低了门槛，但镜头语言和叙事仍然要靠人。",
            "业内人士指出，AI短剧今年产量激增，但口碑两极分化。",
            "有导演尝试用{m}完成分镜预演，原本需要一周的工作两天就能交付。",
        ],
        "agi_world_model": [
            "{co}在介绍{m}时称，模型开始“理解”物理世界的基本规律，是通往世界模型的重要一步。",
            "也有学者反驳说，视频模型只是在统计意义上模仿画面，并不真正理解重力和碰撞。",
            "“视频生成是通往通用人工智能的必经之路”的说法再次引发讨论。",
            "有研究者指出，所谓世界模拟器目前仍无法稳定保持物体恒存，离真正的世界模型还很远。",
        ],
        "flaws": [
            "不过实测中，{m}生成的人物手部仍会出现多指、变形等问题。",
            "不少用户反馈，同一提示词多次生成的结果差异很大，“抽卡”成本不低。",
            "在复杂运动场景中，{m}仍会出现穿模、物体凭空消失等物理错误。",
            "{co}也承认，模型在长镜头一致性和文字渲染上仍有明显不足。",
            "有网友晒出翻车视频：吃面条的人物把筷子一起吞了下去。",
        ],
        "tech": [
            "据介绍，{m}采用DiT架构，支持最长{sec}秒、{res}分辨率的视频生成。",
            "技术报告显示，新模型使用了改进的3D VAE，时空压缩率进一步提升。",
            "{m}在运动幅度、镜头控制和首尾帧生成上均有升级，帧率可达{fps}fps。",
            "此次更新引入了原生音频生成，画面与音效可以同步输出。",
            "据悉，模型参数规模约为{params}亿，训练数据涵盖大量高质量影视素材。",
            "新版本支持多主体参考，同一角色在不同镜头中的外观更加稳定。",
        ],
        "markets": [
            "受此消息影响，AI视频概念股午后走强，多只个股涨停。",
            "券商研报认为，{co}的AI视频业务有望在明年贡献可观收入，给予“买入”评级。",
            "据知情人士透露，{co}正以约{val}亿美元估值进行新一轮融资。",
            "{m}上线以来累计收入已突破{rev}亿元，付费用户主要来自海外。",
            "分析师指出，视频生成的商业模式仍在探索，订阅制与按次计费并存。",
        ],
        "competition": [
            "国内外厂商的AI视频大战持续升温，{m}与海外模型的对比测评刷屏。",
            "在多家机构的盲测榜单中，{m}的综合得分已跻身前列。",
            "业内普遍认为，中美在视频生成领域的差距正在缩小。",
            "面对大厂的围攻，视频生成创业公司的窗口期越来越短。",
            "与上一代相比，{m}在画面质感上已能与海外头部模型正面竞争。",
        ],
        "copyright": [
            "有创作者质疑，{m}的训练数据中可能包含未经授权的影视作品。",
            "一位律师表示，AI生成视频的著作权归属在国内仍缺乏明确判例。",
            "多家影视公司联合发声，要求AI厂商公开训练数据来源并建立授权机制。",
            "有用户用{m}生成了与知名动画角色高度相似的视频，引发侵权争议。",
        ],
        "misinformation": [
            "随着{m}等工具的普及，利用AI伪造名人视频实施诈骗的案例明显增多。",
            "近期网上流传的一段“灾害现场”视频已被证实为AI生成。",
            "专家提醒，普通观众越来越难分辨视频真伪，平台应强化AI内容标识。",
            "{co}表示，所有生成视频都会添加可见水印和隐式标识，方便溯源。",
        ],
        "regulation": [
            "AI生成合成内容标识的新规将于9月1日起施行，AI生成的视频必须添加显著标识。",
            "监管部门近日约谈多家平台，要求加强对AI换脸视频的审核。",
            "有人大代表建议，尽快出台针对深度合成视频的专门立法。",
            "监管部门明确，未经本人同意不得使用他人肖像生成视频。",
        ],
        "launch_access": [
            "{co}宣布{m}正式上线，普通用户可在App和网页端免费体验。",
            "{m}目前仅向会员开放，标准版每月{price_cny}元。",
            "开发者可以通过API调用{m}，每秒视频价格约{api}元。",
            "{m}今天开启内测，申请人数一度挤爆服务器。",
            "{co}宣布开源{m}的模型权重，并提供消费级显卡可运行的小版本。",
        ],
        "compute": [
            "生成一段{sec}秒的{res}视频需要消耗大量算力，单次推理成本仍然偏高。",
            "有开发者实测，在本地运行{m}至少需要{vram}GB显存。",
            "为应对激增的访问量，{co}紧急扩容了数千张GPU。",
            "业内估算，视频生成的算力消耗是文本模型的数百倍。",
        ],
    },
    ("zh", "social"): {
        "jobs": [
            "做剪辑的朋友说今年活少了一半，都被AI视频抢了…",
            "感觉再过两年拍广告的都要失业了。",
            "公司刚开会说明年用AI做宣传片，摄影组估计要裁员。",
            "画分镜的饭碗是真的危险了。",
        ],
        "creative_industry": [
            "用{m}做了个一分钟的小短剧，一个人一晚上搞定。",
            "现在刷到的短剧好多都是AI做的，你们看出来了吗？",
            "AI短剧真的卷疯了，一天上新几十部。",
            "拿{m}给自家小店做了条广告片，效果比请人拍还好。",
        ],
        "agi_world_model": [
            "看完{m}的演示，真觉得世界模型不远了。",
            "说懂物理的，先看看这个杯子穿桌而过再说吧。",
            "视频模型就是AGI的前夜？我持保留意见。",
        ],
        "flaws": [
            "{m}翻车现场：让人物转个身，脸直接换了一个人😂",
            "抽卡抽了二十次才出一条能用的，积分全没了。",
            "手又长出六根指头了，笑死。",
            "吃面条的视频又翻车了，面条自己飞进嘴里。",
            "人物走着走着腿就打结了，这也叫懂物理？",
        ],
        "tech": [
            "{m}这次能直接出{res}，运镜明显更稳了。",
            "首尾帧功能太好用了，转场一下子自然很多。",
            "这次居然自带音效，口型也基本对得上。",
        ],
        "markets": [
            "AI视频概念今天又涨疯了，追不追？",
            "{co}这波估值又要起飞。",
            "天天讲视频生成，到底谁在赚钱？",
        ],
        "competition": [
            "{m}和{rival}同一个提示词对比，你们觉得谁赢了？",
            "国产视频模型这波真的支棱起来了。",
            "Veo和可灵到底哪个更强，评论区说说。",
            "各家视频模型一个月一更新，根本测不过来。",
        ],
        "copyright": [
            "用{m}随便一生成就是某动画角色，这版权怎么算？",
            "训练数据到底哪来的，不会是我们的视频吧。",
        ],
        "misinformation": [
            "又刷到AI假视频了，评论区一堆人当真。",
            "家里长辈转发的视频是AI生成的，怎么解释都不信。",
            "有人用AI换脸冒充明星带货，太离谱了。",
        ],
        "regulation": [
            "以后AI视频都要打标识了，支持。",
            "换脸视频早该管管了，希望尽快立法。",
        ],
        "launch_access": [
            "{m}终于上线了！冲冲冲",
            "求一个{m}的内测码🙏",
            "{m}会员涨价了，有点劝退。",
            "刚拿到{m}的资格，先去试试。",
            "{m}免费额度一天就几次，根本不够用。",
        ],
        "compute": [
            "生成一个视频排队排了半小时，服务器是烧了吗？",
            "本地跑{m}，{vram}G显存都顶不住。",
        ],
    },
    ("en", "news"): {
        "jobs": [
            "Freelance editors say clients are already asking for AI-generated cuts at a fraction of the old rates.",
            "A union representative warned that entry-level VFX and storyboard jobs would be the first to disappear.",
            "One agency said it trimmed its production crew by {pct}% after moving previsualization to {m}.",
            "Economists caution that the net effect on employment is unclear, but the pressure on wages is real.",
            "Recruiters report a jump in postings that ask for experience with AI video tools.",
        ],
        "creative_industry": [
            "Several studios are testing {m} for previs, background plates and pickup shots.",
            "An independent filmmaker used {m} to produce a short that premiered at a festival this month.",
            "Advertising agencies have been the fastest adopters, using generated footage for social spots.",
            "Animators describe the tools as useful for ideation but still hard to direct shot by shot.",
            "A music video made almost entirely with {m} drew millions of views in its first week.",
        ],
        "agi_world_model": [
            "{co} describes {m} as a step toward a general-purpose simulator of the physical world.",
            "Critics counter that the model imitates the look of physics without actually modelling it.",
            "The world-model framing has become a marketing staple, and many researchers remain skeptical.",
            "Some researchers argue that learning to predict video is a path toward more general intelligence.",
        ],
        "flaws": [
            "In our tests, {m} still produced warped hands and objects that pass through each other.",
            "Results vary widely between runs, so getting one usable clip can take many attempts.",
            "{co} acknowledged that text rendering and long-range consistency remain weak spots.",
            "A viral clip of a gymnast sprouting extra limbs showed how far the physics still has to go.",
        ],
        "tech": [
            "{m} generates clips of up to {sec} seconds at {res}, with synchronized audio.",
            "According to the technical report, the model is a diffusion transformer working on spacetime patches.",
            "New camera controls let users specify pans, dollies and the first and last frames.",
            "The company says the model has roughly {params_b} billion parameters and runs at {fps} fps.",
            "Character reference images now keep the same face and outfit across several shots.",
        ],
        "markets": [
            "{co} is reportedly raising money at a valuation of about ${val} billion.",
            "Analysts expect video generation to become a meaningful revenue line within two years.",
            "Shares of {co} rose after the announcement, while some analysts questioned the costs.",
            "Subscription revenue for {m} has grown quickly, according to people familiar with the figures.",
        ],
        "competition": [
            "The release puts {m} in direct competition with a fast-moving group of US and Chinese rivals.",
            "In side-by-side comparisons, {m} held its own on motion but lagged on prompt adherence.",
            "Chinese labs have closed the gap quickly, with their models topping several public leaderboards.",
            "The race among the big labs now runs on monthly release cycles.",
        ],
        "copyright": [
            "Rights holders want to know whether {m} was trained on their films without permission.",
            "A group of artists filed suit, alleging their work was scraped to train video models.",
            "Users quickly generated clips featuring well-known cartoon characters, raising IP questions.",
            "{co} said it offers an opt-out for rights holders, a policy critics call inadequate.",
        ],
        "misinformation": [
            "Researchers worry that realistic clips from {m} will make deepfakes trivially easy to produce.",
            "A fabricated video of a politician circulated widely before fact-checkers flagged it as AI-generated.",
            "{co} says every clip carries a visible watermark and provenance metadata.",
            "Security researchers showed that the watermark can be cropped out within minutes.",
        ],
        "regulation": [
            "Lawmakers cited AI-generated video in renewed calls for a federal deepfake law.",
            "European rules will require providers to label synthetic video content.",
            "A state bill would ban the use of a person's likeness in generated video without consent.",
        ],
        "launch_access": [
            "{m} is available today to Pro subscribers at ${price_usd} a month, with a wider rollout promised.",
            "Access is limited to the US for now, and the free tier is capped at a few generations per day.",
            "Developers can call {m} through the API at about ${api} per second of video.",
            "{co} opened the waitlist this morning, and invite codes were soon being resold online.",
            "{co} released the weights of {m} under an open license.",
        ],
        "compute": [
            "Generating a single {sec}-second clip takes minutes on top-end GPUs, keeping costs high.",
            "{co} said demand had outstripped its GPU capacity and it was throttling free users.",
            "Running the open weights locally needs at least {vram} GB of VRAM.",
        ],
    },
    ("en", "social"): {
        "jobs": [
            "My editor friend just lost two clients to {m}. This is happening faster than anyone admits.",
            "Anyone else in VFX feeling like the floor is dropping out?",
            "Junior jobs are going first, and nobody is hiring juniors anyway.",
            "Our studio just replaced the whole previs team with one guy and a subscription.",
        ],
        "creative_industry": [
            "Made a 60-second short with {m} over the weekend, workflow in the comments.",
            "Honestly great for storyboards, useless for anything with dialogue.",
            "Using {m} for B-roll in my YouTube videos has cut my editing time in half.",
        ],
        "agi_world_model": [
            "World simulator, sure, the ball literally went through the floor.",
            "If this thing understands physics, why do the cups keep merging into hands?",
            "People keep saying video models are the path to AGI. I'm not convinced.",
        ],
        "flaws": [
            "The hands. Always the hands.",
            "Spent 40 credits to get one clip without a melting face.",
            "My feed is full of AI slop now and it all looks the same.",
            "Every clip from {m} has that glossy uncanny look, you spot it instantly.",
        ],
        "tech": [
            "Tried the {res} mode, motion is noticeably smoother than the last version.",
            "Anyone know the architecture? The report says DiT but nothing about the VAE.",
            "The audio sync in {m} is the real upgrade, lip sync mostly works now.",
        ],
        "markets": [
            "{co} burning cash on video feels like a bubble to me.",
            "How is this supposed to make money at these inference costs?",
        ],
        "competition": [
            "Same prompt in {m}, {rival} and {rival2}, results in the gallery.",
            "The Chinese models are honestly ahead on motion right now.",
        ],
        "copyright": [
            "It generated a near-perfect copy of a famous cartoon mouse. Lawyers will have a field day.",
            "So they trained on everyone's videos without asking. Cool cool.",
        ],
        "misinformation": [
            "My mom shared an AI video of a flood as real news. We are not ready for this.",
            "The watermark lasted about five minutes before someone cropped it.",
            "Deepfake scams using {m}-quality video are going to be brutal.",
        ],
        "regulation": [
            "We need actual laws on deepfakes, not voluntary pledges.",
            "Labeling AI video should be mandatory, full stop.",
        ],
        "launch_access": [
            "Got access to {m} today, ask me anything.",
            "Anyone have an invite code for {m}? Happy to trade.",
            "Pricing for {m} is steep for hobbyists.",
            "{m} finally rolled out in my region.",
        ],
        "compute": [
            "My 4090 takes twenty minutes per clip with the open weights.",
            "Queue times on the free tier are over an hour.",
        ],
    },
}

_TONE: dict[tuple[str, str], dict[str, list[str]]] = {
    ("zh", "news"): {
        "positive": ["业内人士评价称，这是国产视频模型的一次重要突破。",
                     "从效果来看，{m}的画面流畅度和细节表现令人印象深刻。",
                     "不少试用者认为，这一版本已经可以直接用于商业项目。"],
        "neutral": ["目前{co}尚未公布更多细节。", "该功能是否会全面开放，仍有待观察。",
                    "记者将持续关注后续进展。", "对此，{co}方面暂未回应。"],
        "negative": ["但也有人担忧，技术跑得太快，配套的规则和伦理讨论明显滞后。",
                     "批评者认为，所谓“大片效果”多是精挑细选的演示，实际体验差距不小。",
                     "对普通创作者来说，这可能意味着更激烈的内卷。"],
    },
    ("zh", "social"): {
        "positive": ["太强了！！", "国产之光👍", "这效果我是真没想到。", "yyds，冲就完了。"],
        "neutral": ["大家怎么看？", "先马住，回头再试。", "附上提示词，感兴趣可以试试。"],
        "negative": ["看多了真的审美疲劳。", "又是一波割韭菜。", "有点恐怖谷了，看得不舒服。",
                     "这玩意儿越强我越慌。"],
    },
    ("en", "news"): {
        "positive": ["Early testers called the results the most convincing they had seen from any video model.",
                     "The jump in quality over the previous version is hard to miss.",
                     "For small studios, the tool could open up shots that were previously out of budget."],
        "neutral": ["{co} did not respond to a request for comment.",
                    "It is not yet clear when the feature will reach other regions.",
                    "{co} declined to share usage figures."],
        "negative": ["Critics say the industry is shipping faster than it can handle the consequences.",
                     "For many working artists, the announcement landed as a threat rather than a tool.",
                     "Skeptics note that the showcase clips were carefully selected."],
    },
    ("en", "social"): {
        "positive": ["Genuinely impressed.", "This is the first one that feels usable.",
                     "Wild how fast this is improving."],
        "neutral": ["Curious what others think.", "Prompt in the comments if anyone wants to try.",
                    "Will post more tests later."],
        "negative": ["More slop for the slop machine.", "I hate how good this is getting.",
                     "Nobody asked for this.", "This is going to ruin the internet."],
    },
}

_TITLES: dict[tuple[str, str], dict[str, list[str]]] = {
    ("zh", "news"): {
        "jobs": ["AI视频冲击下，剪辑师还有未来吗？", "{m}走红背后：谁的饭碗最先被抢",
                 "广告公司用AI视频降本，拍摄团队缩编"],
        "creative_industry": ["{m}进军短剧：一人一周做完一部剧", "AI短剧爆发，影视公司加速布局",
                              "当广告片交给{m}：品牌营销的新玩法"],
        "agi_world_model": ["{m}是世界模型吗？业内观点分歧", "视频生成离“理解物理”还有多远"],
        "flaws": ["实测{m}：画面惊艳，但翻车依旧", "{m}抽卡成本有多高？我们试了一百次"],
        "tech": ["{co}发布{m}技术报告：支持{res}与{sec}秒生成", "拆解{m}：DiT架构与3D VAE的新变化",
                 "{m}升级：运镜控制与原生音频上线"],
        "markets": ["AI视频概念股集体走强，{co}获机构看好", "{co}据悉洽谈新一轮融资，估值或达{val}亿美元",
                    "{m}商业化提速：付费用户与收入双增长"],
        "competition": ["{m}对比{rival}、{rival2}：谁的画面更真实", "视频生成“百模大战”再升级",
                        "盲测榜单更新：{m}排名上升"],
        "copyright": ["{m}训练数据惹争议，影视公司要求说明来源", "AI视频版权纠纷升温，创作者起诉平台"],
        "misinformation": ["AI伪造视频诈骗频发，如何辨别真假？", "一段“灾害现场”视频被证实为AI生成"],
        "regulation": ["AI生成内容标识新规9月起施行，视频平台加紧落地", "深度合成监管加码，换脸视频成整治重点"],
        "launch_access": ["{co}正式上线{m}，免费用户也能用", "{m}开启内测，会员价格公布",
                          "{co}开源{m}，消费级显卡可跑"],
        "compute": ["视频生成算力吃紧，{co}紧急扩容GPU", "跑一次{m}要多少钱？推理成本测算"],
    },
    ("en", "news"): {
        "jobs": ["AI video is coming for the edit suite, and editors are worried",
                 "{m} and the quiet squeeze on freelance animators"],
        "creative_industry": ["Hollywood studios quietly test {m} for previs", "Ad agencies embrace {m} for social spots",
                              "The first AI-made shorts hit the festival circuit"],
        "agi_world_model": ["Is {m} a world model? Researchers are not convinced",
                            "{co} pitches {m} as a physics simulator"],
        "flaws": ["We tested {m}: impressive clips, familiar glitches", "Why AI video still can't get hands right"],
        "tech": ["{co} details {m}: {res}, {sec}-second clips and native audio", "Inside the architecture of {m}"],
        "markets": ["{co} in talks to raise at ${val} billion valuation", "AI video startups draw record funding",
                    "Can AI video make money?"],
        "competition": ["{m} vs {rival} vs {rival2}: the AI video race heats up",
                        "Chinese video models close the gap with US rivals"],
        "copyright": ["Studios press {co} over {m} training data", "Artists sue over AI video training"],
        "misinformation": ["Deepfake fears grow as {m} clips flood social media", "Fake disaster video traced to AI tool"],
        "regulation": ["Lawmakers push deepfake rules as AI video improves",
                       "Labelling rules loom for AI-generated video"],
        "launch_access": ["{co} launches {m} for paying subscribers", "{m} opens to developers via API",
                          "{co} releases {m} weights under open license"],
        "compute": ["The GPU bill behind AI video is enormous", "{co} throttles {m} as demand overwhelms servers"],
    },
    ("en", "social"): {
        "jobs": ["Lost another client to AI video today", "Is it still worth learning VFX?"],
        "creative_industry": ["Made a short film entirely with {m}", "My workflow for AI B-roll"],
        "agi_world_model": ["Does {m} actually understand physics?", "World model hype check"],
        "flaws": ["The hands are still cursed in {m}", "Is anyone else tired of AI slop on every feed?"],
        "tech": ["{m} is actually insane now", "What changed under the hood in {m}?"],
        "markets": ["Is AI video a bubble?", "Who is actually paying for {m}?"],
        "competition": ["Same prompt across {m}, {rival} and {rival2}", "Which video model is best right now?"],
        "copyright": ["{m} will happily generate copyrighted characters", "Where did the training videos come from?"],
        "misinformation": ["This {m} clip fooled my whole family", "Deepfakes are about to get much worse"],
        "regulation": ["We need laws for AI video, not pledges", "Mandatory labels for AI video?"],
        "launch_access": ["Got access to {m}, ask me anything", "{m} pricing is a joke",
                          "Invite codes for {m}?"],
        "compute": ["What GPU do you need for local video models?", "Free tier queue for {m} is over an hour"],
    },
}

_BILI_PREFIX = ("【AI视频】", "【实测】", "【教程】", "【AI短剧】", "")

_DISTRACTORS: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "zh": {
        "cement": (["海螺水泥发布半年报：营收同比下降，水泥价格承压", "海螺水泥三季度净利润回升，机构上调目标价"],
                   ["报告期内，公司水泥和熟料销量同比小幅下滑。", "受房地产需求疲弱影响，水泥价格持续低位运行。",
                    "公司表示将继续推进降本增效和海外产能布局。", "分析师认为，行业错峰生产有望缓解供需矛盾。"]),
        "pikachu": (["宝可梦新作公布，皮卡丘造型再升级", "皮卡丘主题快闪店登陆上海，排队超三小时"],
                    ["活动现场设置了多个拍照打卡区域。", "不少粉丝一早就来排队购买限定周边。",
                     "官方表示，后续还将在更多城市举办类似活动。"]),
        "tour": (["海螺沟景区迎来客流高峰，冰川观景台限流", "秋季游海螺沟：红叶与雪山同框"],
                 ["景区提醒游客提前预约门票，错峰出行。", "当地酒店入住率接近满房。", "山区天气多变，请注意保暖。"]),
        "image_ai": (["新一代文生图模型发布，海报设计效率大幅提升", "AI绘画工具更新：支持中文提示词和多图融合"],
                     ["新模型可以根据文字描述生成高清图片。", "设计师表示，海报初稿的制作时间缩短了一半。",
                      "该工具目前仅支持静态图像生成。"]),
        "chatbot": (["大模型聊天助手新版本上线，支持长文本总结", "国产大模型文本能力测评：谁更会写作文"],
                    ["新版本的上下文长度扩展到百万字。", "用户可以上传文档，让助手提炼要点。",
                     "测评显示，各家模型在逻辑推理上差距明显。"]),
    },
    "en": {
        "fashion": (["Paris Fashion Week: the runway looks that stole the show", "Runway report: oversized tailoring returns"],
                    ["Designers leaned into muted colors and sharp shoulders.", "Models walked the runway under a glass roof.",
                     "Buyers said the collections felt more wearable than last season."]),
        "airport": (["Airport to close main runway for resurfacing", "Runway incursion prompts safety review"],
                    ["Flights will be diverted to the secondary runway overnight.", "The work is expected to last six weeks.",
                     "Officials said no passengers were at risk."]),
        "pikachu": (["Pikachu balloon makes its return to the parade lineup", "New Pokemon game puts Pikachu front and center"],
                    ["Fans lined the route hours before the start.", "The studio promised new regions to explore.",
                     "Merchandise sold out within minutes."]),
        "kingdom": (["Kingdom Hearts IV trailer puts Sora in a new world", "Why Sora remains the heart of Kingdom Hearts"],
                    ["The trailer shows Sora exploring a realistic city.", "Fans are debating what the ending means.",
                     "No release date was announced."]),
        "image_ai": (["Midjourney's new image model makes photorealistic portraits", "AI image generators get better at text"],
                     ["The update improves skin texture and lighting in still images.", "Designers say posters now need fewer edits.",
                      "The tool does not generate video."]),
        "chatbot": (["The new chatbot update can summarize your inbox", "Which AI chatbot writes the best emails?"],
                    ["The assistant now remembers preferences across sessions.", "Testers found it still invents citations.",
                     "The feature is rolling out to paid users first."]),
    },
}

_SPAM_BRANDS = ("鑫发", "乐盈", "星耀", "鸿运", "金冠")
_SPAM_TITLES = ("{b}体育手机版网页登录-官网入口", "{b}官方网站-{b}体育app下载", "{b}娱乐官网入口-手机版APP下载安装",
                "bet365体育在线-{b}官网", "{b}体育(中国)官方网站-登录入口")

_AUTHORS = {
    ("zh", "news"): ["张晓雨", "李明远", "王思琪", "陈一凡", "刘子墨", "赵婉清", "周启航", "演示编辑部"],
    ("zh", "social"): ["AI影像实验室", "追光的小鹿", "剪辑狗老王", "数码阿杰", "短剧制片人L", "一颗柠檬酱",
                       "科技观察员", "夜猫子画画"],
    ("en", "news"): ["Dana Whitfield", "Marcus Ortega", "Priya Raman", "Tom Ellery", "Grace Liu", "Sam Okafor"],
    ("en", "social"): ["/u/pixel_drifter", "/u/render_goblin", "/u/coldbrewvfx", "/u/frame_by_frame",
                       "/u/latent_larry", "/u/no_more_slop", "/u/quietcoder", "/u/tensorpat"],
}

# Hostile posts: feed text that would run as script or open a script link if any page rendered it
# as HTML or Markdown. They are about AI video, so the relevance filter keeps them, and the stored
# text holds the markup literally (the feeds escape it as text). One has a javascript: link as its
# own link, which ingest rejects (invalid) before anything is stored.
# (feed, days before the last demo day, local hour, author, title, paragraph, raw html or None, link)
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_JS_LINK = "javascript:alert(document.cookie)"
_HOSTILE = (
    ("demo-reddit-search", 1, 14, "/u/render_goblin",
     f"{HOSTILE_SCRIPT} Sora 2 cameo clips are flooding my feed, is anyone checking these AI videos?",
     "Every third AI video in my feed is a Sora 2 cameo now. Some look real enough that I checked "
     "the account twice before I noticed the watermark.", None, None),
    ("demo-hn", 2, 11, "quietcoder",
     "Show HN: A prompt gallery for Veo 3 AI video clips",
     f"I collect Veo 3 prompts and the AI video clips they produce. Someone posted {HOSTILE_IMG} "
     "as a comment to test the old comment box; it shows as text now.", None, None),
    ("demo-reddit-search", 3, 20, "/u/no_more_slop",
     f"[Kling 2.1 AI video test, click to watch]({HOSTILE_JS_LINK})",
     "My Kling 2.1 AI video test. The link in the title is not a video: it is "
     f"{HOSTILE_JS_LINK}, mods please remove.",
     '<div class="md"><p>My Kling 2.1 AI video test: <a href="javascript:alert(2)">watch the clip</a>. '
     f"The link in the title is not a video: it is {HOSTILE_JS_LINK}, mods please remove.</p></div>",
     None),
    ("demo-hn", 4, 9, "latent_larry",
     "Runway Gen-4 AI video references: a hands-on test",
     "We tried the reference feature of Runway Gen-4 on a short AI video with two characters. "
     "This submission's own link is a script URL; ingest must reject it.", None, "javascript:alert(1)"),
)

# Story details: each story's own particulars (who, where, what the clip shows), drawn from these
# slots in a random stream of the story's own, so that distinct stories built from the small
# sentence pools above do not read as edited copies of one another. Neutral on purpose: no theme
# cue, no tone word. Frames are filled with format_map; {m} is the model's name.
_DETAIL_FRAMES: dict[tuple[str, str], list[str]] = {
    ("zh", "news"): [
        "{name}是{city}一家{org}的{role}，{when}他们借助{m}试做了一段{scene}的画面，{detail}。",
        "在{city}的一场{event}上，{org}{role}{name}播放了一段{scene}的片段，{detail}。",
        "记者在{city}{place}看到，{name}正借助{m}为{client}准备一段{scene}的内容，{detail}。",
        "{org}{role}{name}介绍，{when}同事们在{city}借助{m}生成了一组{scene}的镜头，{detail}。",
    ],
    ("zh", "social"): [
        "{when}在{place}借助{m}弄了段{scene}，{detail}。",
        "帮{client}借助{m}弄了个{scene}的小视频，{detail}。",
        "{when}借助{m}试了下{scene}，{detail}。",
    ],
    ("en", "news"): [
        "{name}, {role} at {org} in {city}, said the team used {m} {when} for a clip of {scene}, "
        "and {detail}.",
        "At {event} in {city}, {name} of {org} played a sequence of {scene}; {detail}.",
        "In {city}, {name} was using {m} to prepare a video of {scene} for {client}, and {detail}.",
        "{name}, who works as {role} at {org}, said {when} the staff in {city} generated views of "
        "{scene} with {m}, and {detail}.",
    ],
    ("en", "social"): [
        "{when} I used {m} to make a clip of {scene} for {client}; {detail}.",
        "Tried {scene} in {m} {when}, {detail}.",
        "Made a short of {scene} with {m} for {client} {when}, {detail}.",
    ],
}

_DETAIL_SLOTS: dict[str, dict[str, list[str]]] = {
    "zh": {
        "name": [s + g for s in "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁" for g in ("立新", "晓雯", "海峰", "嘉怡", "子轩", "春燕", "文博", "一鸣")],
        "city": ["杭州", "成都", "西安", "厦门", "长沙", "青岛", "昆明", "南京", "合肥", "贵阳", "大连",
                 "苏州", "武汉", "郑州", "宁波", "福州", "南宁", "兰州", "哈尔滨", "石家庄", "无锡", "佛山"],
        "org": ["连锁面包店", "社区图书馆", "县级融媒体中心", "家具厂", "茶叶合作社", "民办博物馆", "旅行社",
                "物流公司", "中学信息组", "高校实验室", "老字号酱园", "儿童绘本馆", "农机公司", "景区管理处",
                "健身房连锁", "宠物医院", "花店", "书法协会"],
        "role": ["负责人", "运营主管", "会计", "宣传干事", "店长", "项目经理", "讲师", "馆员", "创始人"],
        "when": ["上周", "前几天", "月初", "周末", "上个月底", "节前", "三天前", "昨天下午"],
        "scene": ["一只橘猫在雨夜弄堂里追纸船", "老渔民在黎明的海边收网", "两名宇航员在月面上踢毽子",
                  "高铁驶过金黄的油菜花田", "奶奶在院子里晾晒红辣椒", "一群白鹭掠过稻田", "冰雕在暖阳下闪着光",
                  "老师傅在茶馆里冲茶", "热气球在峡谷上空升起", "小狗在雪地里追自己的尾巴", "灯笼在古镇屋檐下摇晃",
                  "纸飞机落在教室的窗台上", "孩子们在操场上放风筝", "鲸鱼跃出夜色中的海面", "茶农在山间采摘新芽",
                  "地铁站里弹吉他的少年", "银杏叶落满老街", "熊猫幼崽在树杈上打盹", "渔船在晚霞里归港",
                  "蒸笼掀开时冒出的白汽", "沙漠驼队在星空下前行", "雨中十字路口的车灯连成一线",
                  "一朵昙花在夜里开放", "铁匠在炉前敲打铁块", "帆船在台风前收帆", "糖画师傅画出一条龙"],
        "detail": ["用了{k}张参考照片", "结尾写了{k}位同事的名字", "每段大约{n}秒长", "视频会在{venue}循环展示",
                   "原计划需要{k}天的内容", "最后定稿为{n}秒", "用了大约{k}个小时", "打算下周放到{venue}",
                   "背景音是同事自己录的", "旁白由{role2}录制"],
        "event": ["读者见面会", "读书会", "校园开放日", "乡村振兴论坛", "社区夜市", "非遗展", "创业路演"],
        "place": ["一处老厂房", "城郊的一间办公室", "临街的小店里", "学校机房", "社区活动室", "江边的咖啡馆"],
        "client": ["本地文旅局", "一家民宿", "社区居委会", "朋友的婚礼", "学校校庆", "一家火锅店", "老家的果园"],
        "venue": ["商场大屏", "地铁站灯箱", "店门口的电视", "公众号", "展厅入口", "校门口的屏幕"],
        "role2": ["实习生", "店里的老顾客", "退休教师", "同事的孩子"],
    },
    "en": {
        "name": [f + " " + s for f in ("Nora", "Caleb", "Ines", "Omar", "Hattie", "Felix", "June", "Rafael",
                                       "Maren", "Theo")
                 for s in ("Lindqvist", "Abara", "Castellanos", "Whitcombe", "Nakamura", "Oyelaran",
                           "Petrakis", "Duval", "Sorensen", "Kowalczyk")],
        "city": ["Tucson", "Leeds", "Halifax", "Porto", "Dayton", "Wellington", "Cork", "Boise", "Tampere",
                 "Savannah", "Ghent", "Spokane", "Adelaide", "Lyon", "Omaha", "Bergen", "Nashville", "Aarhus"],
        "org": ["a regional bakery chain", "a county library", "a community college", "a furniture maker",
                "a small museum", "a travel agency", "a freight company", "a family-run winery",
                "a city parks department", "a children's bookshop", "a climbing gym", "a veterinary clinic",
                "a flower market", "a local radio station", "a ferry operator", "a botanical garden"],
        "role": ["the manager", "an outreach lead", "the owner", "a technician", "a volunteer coordinator",
                 "the events planner", "a teacher", "the archivist"],
        "when": ["last week", "over the weekend", "earlier this month", "on Monday", "on Tuesday",
                 "last Thursday", "at the start of the month"],
        "scene": ["a ginger cat chasing paper boats down a wet alley", "a fisherman hauling nets at dawn",
                  "two astronauts planting a flag on the moon", "a train rolling past a field of sunflowers",
                  "a grandmother hanging chillies to dry", "herons lifting off a rice paddy",
                  "an ice sculpture glinting in the sun", "a baker shaping loaves before sunrise",
                  "hot-air balloons rising over a canyon", "a puppy chasing its tail in the snow",
                  "lanterns swaying under old eaves", "a paper plane landing on a classroom sill",
                  "kids flying kites on a school field", "a whale breaching under the stars",
                  "tea pickers on a misty slope", "a busker playing guitar in a subway station",
                  "autumn leaves covering a cobbled street", "a panda cub napping in a tree",
                  "fishing boats coming home at sunset", "steam rising from a bamboo basket",
                  "a camel caravan under the Milky Way", "a rainy junction glowing with headlights",
                  "a night-blooming flower opening", "a blacksmith hammering at the forge",
                  "a sailboat reefing before a storm", "a street artist painting a dragon in sugar"],
        "detail": ["they settled on version {k}", "the finished video uses version {k}",
                   "each part runs about {n} seconds", "it will loop on {venue}",
                   "the result runs {n} seconds", "it used {k} reference photos",
                   "it goes up on {venue} next week", "a colleague picked the music",
                   "the narration was read by {role2}"],
        "event": ["a trade breakfast", "a library anniversary", "a regional business fair", "a night market",
                  "a heritage festival", "a startup pitch evening"],
        "client": ["the local tourism board", "a bed-and-breakfast", "a neighbourhood committee",
                   "a friend's wedding", "a school reunion", "a ramen shop", "my uncle's orchard"],
        "venue": ["a mall display", "a bus-stop display", "the shop window", "their newsletter",
                  "the lobby display", "the school's website"],
        "role2": ["an intern", "a regular customer", "a retired teacher", "a colleague's daughter"],
    },
}
