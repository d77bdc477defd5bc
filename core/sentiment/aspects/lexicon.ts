/**
 * The aspect lexicon: for each aspect, the words that name it (`terms`) and short
 * aspect-specific opinion phrases (`positive` / `negative`) that both name the aspect and
 * carry its polarity (偏小 → 尺码 negative). Written for e-commerce reviews (clothing first).
 */
export interface AspectEntry {
  terms: string[];
  positive: string[];
  negative: string[];
}

export const ASPECT_LEXICON: Record<string, AspectEntry> = {
  尺码: {
    terms: ['尺码', '码数', '码子', '尺寸', '大小', '版型', '鞋码', '尺码表', '腰围', '肩宽', '袖长', '裤长', '长度', '胸围', '肥瘦'],
    positive: ['合身', '合脚', '修身', '显瘦', '正合适', '刚刚好', '刚好', '不大不小', '尺码标准', '码数正常', '尺码准', '码数准', '正好', '很准', '很标准'],
    negative: ['偏小', '偏大', '小了', '大了', '太小', '太大', '太紧', '太肥', '太长', '太短', '挤脚', '勒', '穿不上', '穿不进', '不合身', '尺码不准', '尺码不全'],
  },
  面料: {
    terms: ['面料', '材质', '布料', '料子', '质地', '手感', '用料', '纯棉', '化纤', '质感', '透气性'],
    positive: ['透气', '柔软', '软糯', '厚实', '舒服', '亲肤', '有弹性', '凉快', '暖和'],
    negative: ['起球', '起毛', '掉毛', '缩水', '扎人', '很扎', '不透气', '易皱', '容易皱', '会透', '变形', '闷', '廉价', '硬邦邦', '很薄', '有点透'],
  },
  做工: {
    terms: ['做工', '质量', '品质', '工艺', '走线', '针脚', '缝线', '细节'],
    positive: ['精致', '精细', '结实', '耐穿', '牢固', '没有瑕疵', '做工一流', '很密', '密实', '整齐', '扎实', '没有线头'],
    negative: ['线头', '开线', '脱线', '瑕疵', '粗糙', '破洞', '坏了', '就坏', '就破', '掉了', '溢胶', '胶水', '歪歪扭扭', '松松的'],
  },
  颜色: {
    terms: ['颜色', '色泽', '配色', '色调', '颜色正'],
    positive: ['显白', '颜色正', '颜色好看', '很正', '和图片一样', '跟图片一样', '与图片一致', '和图片一致', '和实物一样', '没有色差'],
    negative: ['色差', '掉色', '褪色', '染色', '串色', '显黑', '发黄', '太艳', '暗淡', '很土', '暗很多'],
  },
  物流: {
    terms: ['物流', '快递', '发货', '送货', '到货', '配送', '派送', '包装', '顺丰', '快递员', '快递小哥', '送到', '收到货', '送达'],
    positive: ['发货快', '隔天就', '第二天就', '很快', '神速', '包装严实', '包装完好'],
    negative: ['太慢', '很慢', '慢得', '慢', '不更新', '压扁', '破损', '包装破', '晚了', '催了', '才到', '拖拖拉拉', '都破了'],
  },
  价格: {
    terms: ['价格', '价钱', '性价比', '价位', '售价', '这个价', '活动价'],
    positive: ['便宜', '实惠', '划算', '超值', '物美价廉', '良心', '公道', '买得值', '不贵', '值得购买', '很值', '值了'],
    negative: ['贵', '偏高', '不值', '太高', '高了', '降价', '虚高'],
  },
  客服: {
    terms: ['客服', '卖家', '店家', '掌柜', '售后', '服务', '态度', '退货', '退款', '换货', '回复'],
    positive: ['耐心', '热情', '贴心', '周到', '专业', '回复及时', '及时', '很快', '很准'],
    negative: ['不理人', '爱答不理', '推脱', '冷淡', '恶劣', '不回', '一问三不知', '不给退', '不给换', '没人回', '没人理', '推来推去', '答非所问'],
  },
  气味: {
    terms: ['气味', '味道', '异味', '香味', '甲醛', '胶水味', '塑料味', '霉味', '烟味', '臭味', '味儿'],
    positive: ['好闻', '清香', '没有异味', '没有味道', '无异味', '没有什么味道', '没什么味道', '没什么味', '没啥味道', '没味道', '淡淡的香味'],
    negative: ['刺鼻', '难闻', '异味', '甲醛', '霉味', '臭', '一股', '味道很大', '味道大', '味很重', '味道很重', '化学味'],
  },
  款式: {
    terms: ['款式', '样式', '设计', '风格', '款型', '上身效果', '外观', '样子', '图案'],
    positive: ['好看', '漂亮', '洋气', '时尚', '百搭', '新颖', '大方', '可爱', '有个性'],
    negative: ['老气', '过时', '土气', '难看', '太丑', '普通', '显胖', '差别很大', '很一般', '效果不好', '奇怪'],
  },
};

/** Words that flip the opinion right after them (没有色差, 不贵, 一点也不慢). */
export const NEGATORS = ['一点也不', '一点都不', '没有', '不会', '不算', '并不', '不', '没', '无', '未'];

/**
 * Opinion words that say nothing about which aspect (不错, 及时, 一样): they give the
 * polarity of a clause that names an aspect but has no aspect-specific phrase
 * (做工不错, 尺码跟详情页说的一样, 料子很廉价). Negation flips them (不一样).
 */
export const GENERAL_OPINION: { positive: string[]; negative: string[] } = {
  positive: ['不错', '很好', '挺好', '好评', '满意', '喜欢', '及时', '一样', '一致', '好看', '舒服', '给力', '靠谱', '放心', '值得', '满分', '很准', '很正', '没问题', '超赞', '很赞'],
  negative: ['差', '不好', '廉价', '奇怪', '失望', '糟糕', '一般', '粗糙', '难看', '不行', '垃圾', '坑', '很慢', '太慢', '差别很大', '不满意', '后悔', '无语'],
};

/** A clause opened by one of these names what was wrong (唯一的缺点是有点长): negative without an opinion word. */
export const FAULT_MARKERS = ['唯一的缺点是', '唯一的缺点', '唯一缺点是', '美中不足的是', '美中不足', '缺点是', '不足的是', '遗憾的是'];

/** Words that open a contrast: the clause after them is read on its own (质量不错，就是有点贵). */
export const CONTRAST_MARKERS = ['但是', '不过', '可是', '只是', '就是', '但'];

/**
 * Words that name an aspect only as a process (退货 names after-sales): a clause that names
 * the aspect only through them says what the reviewer did (已经申请退货了), not how the aspect
 * was, so it counts only with an opinion word of its own (退货很顺利, 退款一直不处理).
 */
export const PROCESS_TERMS = ['退货', '退款', '换货', '收到货', '到货'];
